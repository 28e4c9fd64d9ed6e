package dev.gateway.authentication.dmarc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Public Suffix List read from a file in publicsuffix.org's format ({@code public_suffix_list.dat}: one rule a line,
 * {@code //} comments, {@code *.} wildcards, {@code !} exceptions, rules in Unicode), so that an operator updates it
 * apart from Gateway's own releases, e.g. with a daily download. The file is looked at again at most once a minute
 * and read again when its modification time changed; a file that cannot be read keeps the rules read before (and
 * is logged), and one that was never read fails the lookups, since DMARC without a list would be wrong.
 *
 * <p>The algorithm is publicsuffix.org's: an exception rule wins; otherwise the matching rule with the most labels;
 * otherwise the default rule {@code *}.
 */
final class PublicSuffixListFile implements PublicSuffixes {
    private static final Logger LOGGER = LoggerFactory.getLogger(PublicSuffixListFile.class);
    private static final Duration CHECK_EVERY = Duration.ofMinutes(1);

    private record Rules(FileTime modified, Instant checked, Set<String> exact, Set<String> wildcard, Set<String> exception) {
    }

    private final Path file;
    private final Supplier<Instant> clock;
    private final AtomicReference<Rules> rules = new AtomicReference<>();

    PublicSuffixListFile(Path file) {
        this(file, Instant::now);
    }

    /** @param clock the time, for when to look at the file again */
    PublicSuffixListFile(Path file, Supplier<Instant> clock) {
        this.file = file;
        this.clock = clock;
    }

    @Override
    public String organizationalDomain(String domain) {
        String ascii = IDN.toASCII(domain.strip().replaceFirst("\\.$", ""), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        String[] labels = ascii.split("\\.", -1);
        if (ascii.isEmpty() || Arrays.stream(labels).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("not a domain name: " + domain);
        }
        int suffixLabels = publicSuffixLabels(current(), labels);
        if (suffixLabels >= labels.length) {
            return ascii;
        }
        return String.join(".", Arrays.copyOfRange(labels, labels.length - suffixLabels - 1, labels.length));
    }

    private static int publicSuffixLabels(Rules rules, String[] labels) {
        for (int start = 0; start < labels.length; start++) {
            String suffix = String.join(".", Arrays.copyOfRange(labels, start, labels.length));
            if (rules.exception().contains(suffix)) {
                return labels.length - start - 1;
            }
            String parent = start + 1 < labels.length ? String.join(".", Arrays.copyOfRange(labels, start + 1, labels.length)) : "";
            if (rules.exact().contains(suffix) || start + 1 < labels.length && rules.wildcard().contains(parent)) {
                return labels.length - start;
            }
        }
        return 1;
    }

    private Rules current() {
        Rules known = rules.get();
        Instant now = clock.get();
        if (known != null && Duration.between(known.checked(), now).compareTo(CHECK_EVERY) < 0) {
            return known;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            Rules next = known != null && known.modified().equals(modified)
                ? new Rules(modified, now, known.exact(), known.wildcard(), known.exception())
                : read(modified, now);
            rules.set(next);
            return next;
        } catch (IOException | UncheckedIOException e) {
            if (known == null) {
                throw new IllegalStateException("cannot read the Public Suffix List " + file + ": " + e.getMessage(), e);
            }
            LOGGER.error("Cannot read the Public Suffix List {} again; the rules read before stay in force", file, e);
            rules.set(new Rules(known.modified(), now, known.exact(), known.wildcard(), known.exception()));
            return known;
        }
    }

    private Rules read(FileTime modified, Instant now) throws IOException {
        Set<String> exact = new HashSet<>();
        Set<String> wildcard = new HashSet<>();
        Set<String> exception = new HashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String rule = line.strip().split("\\s", 2)[0];
            if (rule.isEmpty() || rule.startsWith("//")) {
                continue;
            }
            if (rule.startsWith("!")) {
                exception.add(ascii(rule.substring(1)));
            } else if (rule.startsWith("*.")) {
                wildcard.add(ascii(rule.substring(2)));
            } else {
                exact.add(ascii(rule));
            }
        }
        LOGGER.info("Public Suffix List {}: {} rules", file, exact.size() + wildcard.size() + exception.size());
        return new Rules(modified, now, Set.copyOf(exact), Set.copyOf(wildcard), Set.copyOf(exception));
    }

    private static String ascii(String rule) {
        return IDN.toASCII(rule, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    }
}
