package dev.gateway.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway log's lines written since the last look, for the score and the rules behind a verdict: SpamFilter logs
 * one line per judged message ("Spam scan: ... score S verdict V tests T in N ms", or "Spam refused: ... score S ...
 * tests T scanned in N ms") before it replies. Only informative (the verdict itself comes from the counters): what
 * explains a surprising verdict.
 */
final class GatewayLogTail {

    /** The score and the rules (tests) that made it, as the filter logged them. */
    record Scan(String score, String tests) {
        static final Scan NONE = new Scan("", "");
    }

    private static final Pattern SCAN = Pattern.compile("Spam (?:scan|refused): .* score (\\S+).* tests (\\S*) (?:scanned )?in \\d+ ms");

    private final Path file;
    private long offset;

    GatewayLogTail(Path file) throws IOException {
        this.file = file;
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            this.offset = log.length();
        }
    }

    /** The last scan line among the lines written since the previous call, or {@link Scan#NONE}. */
    Scan next() throws IOException {
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            long length = log.length();
            if (length <= offset) {
                return Scan.NONE;
            }
            byte[] added = new byte[(int) (length - offset)];
            log.seek(offset);
            log.readFully(added);
            offset = length;
            Scan found = Scan.NONE;
            for (String line : new String(added, StandardCharsets.UTF_8).split("\n")) {
                Matcher matcher = SCAN.matcher(line);
                if (matcher.find()) {
                    found = new Scan(matcher.group(1), matcher.group(2));
                }
            }
            return found;
        }
    }
}
