package dev.gateway.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.gateway.authentication.spf.Addresses;
import dev.gateway.authentication.spf.SpfDns;
import dev.gateway.authentication.spf.SpfEvaluator;
import dev.gateway.authentication.spf.SpfOutcome;

/**
 * The openspf RFC 7208 test suite (release 2014.04, the one pyspf runs; Debian's python3-spf ships it) against our
 * {@code check_host()} ({@link SpfEvaluator}), each scenario's zone data served from memory, and against pyspf
 * (python3-spf, {@code src/test/scripts/pyspf_suite.py}, given the same zone data and nothing else). Every case is
 * reported in target/rfc7208-report.txt with the suite's expectation, our result and pyspf's.
 */
class Rfc7208SuiteTest {
    static final Path SUITE = Path.of("/usr/share/doc/python3-spf/rfc7208-tests.yml.gz");
    static final Path PYSPF = Path.of("src/test/scripts/pyspf_suite.py");

    /**
     * Cases where pyspf (python3-spf 2.0.14) itself gives a result the suite does not accept: none. They would be
     * reported and left out of the comparison with ours; the test fails when this changes either way.
     */
    static final Set<String> PYSPF_DISAGREES_WITH_SUITE = Set.of();

    static List<Case> cases;
    static Map<String, String> pyspf;

    /** One case: the suite's acceptable results (and explanation, when it gives one) and ours. */
    record Case(String id, List<String> expected, Optional<String> expectedExplanation, SpfOutcome ours, String spec) {
        String oursText() {
            return ours.result().text();
        }

        /** As pyspf_suite.py prints it: the result, and the explanation of a fail ("DEFAULT" when there is none). */
        String oursAsPyspf() {
            return oursText().equals("fail") ? "fail\t" + ours.explanation().orElse("DEFAULT") : oursText();
        }

        boolean agrees() {
            return expected.contains(oursText())
                && expectedExplanation.map(text -> text.equals(ours.explanation().orElse("DEFAULT"))).orElse(true);
        }
    }

    @BeforeAll
    static void runSuite() throws Exception {
        cases = evaluateSuite();
        pyspf = runPyspf();
        List<String> report = new ArrayList<>();
        for (Case c : cases) {
            report.add((c.agrees() ? "ok    " : "DIFF  ") + c.id() + ": expected " + String.join("|", c.expected())
                + c.expectedExplanation().map(text -> " (\"" + text + "\")").orElse("") + ", ours " + c.oursText()
                + c.ours().problem().map(problem -> " (" + problem + ")").orElse("")
                + ", pyspf " + pyspf.get(c.id()) + "  (spec " + c.spec() + ")");
        }
        long agree = cases.stream().filter(Case::agrees).count();
        report.add(cases.size() + " cases, " + agree + " agree with the suite, " + (cases.size() - agree) + " differ");
        List<Case> compared = cases.stream().filter(Rfc7208SuiteTest::pyspfMatchesSuite).toList();
        report.add("pyspf matches the suite on " + compared.size() + " cases; ours and pyspf's agree on "
            + compared.stream().filter(c -> pyspf.get(c.id()).equals(c.oursAsPyspf())).count() + " of them");
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/rfc7208-report.txt"), report, StandardCharsets.UTF_8);
        System.out.println(String.join("\n", report));
    }

    @Test
    void everyCaseAgreesWithTheSuite() {
        assertThat(cases).hasSize(203);
        assertThat(cases.stream().filter(c -> !c.agrees()).map(c -> c.id() + ": expected " + c.expected()
            + c.expectedExplanation().map(text -> " \"" + text + "\"").orElse("") + ", ours " + c.ours()))
            .isEmpty();
    }

    /**
     * pyspf evaluates every case; where it gives a result the suite accepts (every case today, {@link
     * #PYSPF_DISAGREES_WITH_SUITE}), ours and pyspf's must be the same: the result, and for a fail the explanation
     * (pyspf has texts of its own for the other results).
     */
    @Test
    void pyspfAgreesWithUsOnEveryCaseWherePyspfMatchesTheSuite() {
        assertThat(pyspf.keySet()).containsExactlyInAnyOrderElementsOf(cases.stream().map(Case::id).toList());
        assertThat(cases.stream().filter(c -> !pyspfMatchesSuite(c)).map(Case::id))
            .as("cases where pyspf itself disagrees with the suite")
            .containsExactlyInAnyOrderElementsOf(PYSPF_DISAGREES_WITH_SUITE);
        assertThat(cases.stream().filter(Rfc7208SuiteTest::pyspfMatchesSuite)
            .filter(c -> !pyspf.get(c.id()).equals(c.oursAsPyspf()))
            .map(c -> c.id() + ": ours " + c.ours() + ", pyspf " + pyspf.get(c.id()))).isEmpty();
    }

    private static boolean pyspfMatchesSuite(Case c) {
        return c.expected().contains(pyspf.get(c.id()).split("\t")[0]);
    }

    @SuppressWarnings("unchecked")
    private static List<Case> evaluateSuite() throws IOException {
        List<Case> evaluated = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SUITE));
             MappingIterator<Map<String, Object>> scenarios = new YAMLMapper().readerFor(Map.class).readValues(in)) {
            while (scenarios.hasNext()) {
                Map<String, Object> scenario = scenarios.next();
                String description = String.valueOf(scenario.get("description"));
                Map<String, List<Object>> zone = (Map<String, List<Object>>) scenario.getOrDefault("zonedata", Map.of());
                SpfEvaluator evaluator = new SpfEvaluator(new ZoneData(zone), "unknown");
                for (Map.Entry<String, Object> entry : ((Map<String, Object>) scenario.get("tests")).entrySet()) {
                    Map<String, Object> test = (Map<String, Object>) entry.getValue();
                    Object result = test.get("result");
                    List<String> expected = result instanceof List<?> list
                        ? list.stream().map(String::valueOf).toList() : List.of(String.valueOf(result));
                    String helo = String.valueOf(test.getOrDefault("helo", ""));
                    String mailFrom = String.valueOf(test.getOrDefault("mailfrom", ""));
                    // A null sender is checked as postmaster@ the HELO name (RFC 7208 section 2.4), as pyspf does.
                    String sender = mailFrom.isEmpty() ? "postmaster@" + helo : mailFrom;
                    SpfOutcome ours = evaluator.check(InetAddress.getByName(String.valueOf(test.get("host"))), sender, helo);
                    evaluated.add(new Case(description + " / " + entry.getKey(), expected,
                        Optional.ofNullable(test.get("explanation")).map(String::valueOf), ours,
                        String.valueOf(test.get("spec"))));
                }
            }
        }
        return evaluated;
    }

    /** pyspf's result and explanation per case, "result\texplanation", by "description / case". */
    private static Map<String, String> runPyspf() throws Exception {
        Process process = new ProcessBuilder("/usr/bin/python3", PYSPF.toString(), SUITE.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("pyspf_suite.py exit status").isZero();
        Map<String, String> results = new HashMap<>();
        for (String line : output.split("\n")) {
            if (!line.isEmpty()) {
                String[] fields = line.split("\t", 4);
                results.put(fields[0] + " / " + fields[1],
                    fields[2].equals("fail") ? fields[2] + "\t" + fields[3] : fields[2]);
            }
        }
        return results;
    }

    /**
     * A scenario's zone data answered as pyspf's testspf.py answers it (and as the suite asks of drivers): SPF-type
     * records also served as TXT where a name has no TXT entry ("NONE" answers nothing), a TIMEOUT entry makes
     * every query the name has no data for before it time out, a name under "error." absent from the zone times out,
     * and a CNAME is followed one level.
     */
    record ZoneData(Map<String, List<Object>> zone) implements SpfDns {

        @Override
        public Answer<String> txt(String name) {
            return lookup(name, "TXT", ZoneData::text, 0);
        }

        @Override
        public Answer<InetAddress> a(String name) {
            return lookup(name, "A", ZoneData::address, 0);
        }

        @Override
        public Answer<InetAddress> aaaa(String name) {
            return lookup(name, "AAAA", ZoneData::address, 0);
        }

        @Override
        public Answer<String> mx(String name) {
            return lookup(name, "MX", value -> String.valueOf(((List<?>) value).get(1)), 0);
        }

        @Override
        public Answer<String> ptr(InetAddress address) {
            return lookup(Addresses.reverseName(address), "PTR", String::valueOf, 0);
        }

        private <T> Answer<T> lookup(String name, String type, Function<Object, T> convert, int level) {
            String key = name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
            for (String label : key.split("\\.")) {
                if (label.length() > 63) {
                    return Answer.failed("DNS label too long");
                }
            }
            List<Object> entries = zone.entrySet().stream()
                .filter(entry -> entry.getKey().toLowerCase(Locale.ROOT).equals(key))
                .map(Map.Entry::getValue).findFirst().orElse(null);
            if (entries == null) {
                return key.startsWith("error.") ? Answer.failed("DNS timeout") : Answer.none();
            }
            boolean hasTxt = entries.stream().anyMatch(entry -> entry instanceof Map<?, ?> map && map.containsKey("TXT"));
            List<T> records = new ArrayList<>();
            for (Object entry : entries) {
                if (entry.equals("TIMEOUT")) {
                    return records.isEmpty() ? Answer.failed("DNS timeout") : Answer.found(records);
                }
                if (!(entry instanceof Map<?, ?> map)) {
                    continue;
                }
                for (Map.Entry<?, ?> record : map.entrySet()) {
                    String recordType = String.valueOf(record.getKey());
                    Object value = record.getValue();
                    boolean asked = recordType.equals(type) || type.equals("TXT") && recordType.equals("SPF") && !hasTxt;
                    if (asked && value.equals("TIMEOUT")) {
                        return Answer.failed("DNS timeout");
                    }
                    if (asked && !value.equals("NONE") && !value.equals(List.of("NONE"))) {
                        records.add(convert.apply(value));
                    }
                    if (recordType.equals("CNAME") && level == 0) {
                        Answer<T> target = lookup(String.valueOf(value), type, convert, 1);
                        if (target.error().isPresent()) {
                            return target;
                        }
                        records.addAll(target.records());
                    }
                }
            }
            return Answer.found(records);
        }

        private static String text(Object value) {
            return value instanceof List<?> strings
                ? strings.stream().map(String::valueOf).reduce("", String::concat) : String.valueOf(value);
        }

        private static InetAddress address(Object value) {
            try {
                return InetAddress.getByName(String.valueOf(value));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }
}
