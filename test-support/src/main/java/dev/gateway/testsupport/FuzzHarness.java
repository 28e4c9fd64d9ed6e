package dev.gateway.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A small, seeded fuzzer for Gateway's own parsers: it mutates seed inputs (insertions of the characters parsers
 * trip on, deletions, duplications, splices, long repetitions) and holds the target to its contract: it returns,
 * or throws one of the exception types it declares for bad input; anything else (a NullPointerException, an
 * IndexOutOfBoundsException, an error, a broken property) is a crash, reported with the seed and input that
 * reproduce it. Any parser fits: a routing-rule file reader, an address normaliser, a protocol answer. It lives in
 * its own module (test scope) so that every module's tests use the one harness.
 *
 * <p>How long it runs comes from system properties, so CI runs it briefly and a developer for as long as wanted:
 * <pre>
 * mvn -pl smtp-hooks,routing -am verify -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dgateway.fuzz.iterations=5000000 -Dgateway.fuzz.duration=30m
 * mvn -pl routing -am verify -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false -Dgateway.fuzz.seed=12345   # replay one run
 * </pre>
 * Defaults: {@value #DEFAULT_ITERATIONS} cases per target, at most {@code 60s}, seed {@value #DEFAULT_SEED}
 * (fixed, so that CI is repeatable; pick another to explore).
 */
public final class FuzzHarness {

    public static final int DEFAULT_ITERATIONS = 20_000;
    public static final long DEFAULT_SEED = 20231218L;

    /** What a parser may do with an input: return normally, or throw one of the expected types. */
    @FunctionalInterface
    public interface Target {
        void accept(String input) throws Exception;
    }

    /** One run's outcome: cases tried, cases the target refused (expected exceptions), crashes with their inputs. */
    public record Report(String target, long seed, int cases, int refused, List<String> crashes) {
        @Override
        public String toString() {
            return String.format("%s: %d cases (seed %d), %d refused as bad input, %d crashes%s", target, cases, seed,
                refused, crashes.size(), crashes.isEmpty() ? "" : ":\n  " + String.join("\n  ", crashes));
        }
    }

    /** Characters that separate, quote, escape, end lines or are not ASCII: where parsers break. */
    private static final String INTERESTING = "@%!\"\\<>[]():;,. \t\r\n\0=?*+-_/'`{}|~#$&^"
        + "\u00e9\u00ff\u0080\u2028\ufeff\ufffd\ud800\udc00\u0130\u017f";
    private static final int MAX_LENGTH = 20_000;

    private final long seed;
    private final int iterations;
    private final Duration maxDuration;

    private FuzzHarness(long seed, int iterations, Duration maxDuration) {
        this.seed = seed;
        this.iterations = iterations;
        this.maxDuration = maxDuration;
    }

    /** Settings from {@code gateway.fuzz.seed}, {@code gateway.fuzz.iterations}, {@code gateway.fuzz.duration}. */
    public static FuzzHarness fromSystemProperties() {
        return new FuzzHarness(
            Long.getLong("gateway.fuzz.seed", DEFAULT_SEED),
            Integer.getInteger("gateway.fuzz.iterations", DEFAULT_ITERATIONS),
            org.apache.james.util.DurationParser.parse(System.getProperty("gateway.fuzz.duration", "60s"), java.time.temporal.ChronoUnit.SECONDS));
    }

    /**
     * Feeds {@code target} mutations of {@code seeds} until the iterations or the duration run out. Throwables of
     * {@code expected} types (or their subtypes) count as refusals; everything else is a crash.
     */
    public Report run(String name, List<String> seeds, Set<Class<? extends Throwable>> expected, Target target) {
        Random random = new Random(seed);
        long deadline = System.nanoTime() + maxDuration.toNanos();
        int cases = 0;
        int refused = 0;
        List<String> crashes = new ArrayList<>();
        for (; cases < iterations && System.nanoTime() < deadline && crashes.size() < 10; cases++) {
            String input = cases < seeds.size() ? seeds.get(cases) : mutate(random, seeds);
            try {
                target.accept(input);
            } catch (Throwable thrown) {
                if (expected.stream().anyMatch(type -> type.isInstance(thrown))) {
                    refused++;
                } else {
                    crashes.add(thrown + " on input " + printable(input));
                }
            }
        }
        return new Report(name, seed, cases, refused, List.copyOf(crashes));
    }

    private static String mutate(Random random, List<String> seeds) {
        StringBuilder text = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
        int mutations = 1 + random.nextInt(6);
        for (int i = 0; i < mutations && text.length() < MAX_LENGTH; i++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> text.insert(at, INTERESTING.charAt(random.nextInt(INTERESTING.length())));
                case 1 -> text.insert(at, (char) random.nextInt(0x80));
                case 2 -> {
                    int end = Math.min(text.length(), at + 1 + random.nextInt(8));
                    text.delete(at, end);
                }
                case 3 -> {
                    int end = Math.min(text.length(), at + 1 + random.nextInt(16));
                    text.insert(at, text.substring(at, end));
                }
                case 4 -> {
                    String other = seeds.get(random.nextInt(seeds.size()));
                    text.insert(at, other.substring(random.nextInt(other.length() + 1)));
                }
                default -> {
                    String unit = at < text.length() ? text.substring(at, at + 1) : "a";
                    text.insert(at, unit.repeat(1 + random.nextInt(MAX_LENGTH / 4)));
                }
            }
        }
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) : text.toString();
    }

    /** The input as a Java string literal, shortened: enough to reproduce or recognise it. */
    private static String printable(String input) {
        StringBuilder out = new StringBuilder("\"");
        input.chars().limit(300).forEach(c -> out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
            ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out.append(input.length() > 300 ? "...\" (" + input.length() + " chars)" : "\"").toString();
    }

    /** A parser that returns a value, or throws for input it refuses. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String input) throws Exception;
    }

    /** Makes a parser into a {@link Target} that also checks a property of each value it returns. */
    public static <T> Target checking(Parser<T> parser, Predicate<T> property, String propertyName) {
        return input -> {
            T value = parser.parse(input);
            if (!property.test(value)) {
                throw new AssertionError(propertyName + " broken: " + value);
            }
        };
    }
}
