package dev.gateway.e2e;

import java.util.List;

/**
 * Messages that break MIME in the ways real-world senders and attackers do, each well framed for SMTP (CRLF line
 * ends, no bare CR or LF) so that only the MIME is wrong. Strings are ISO-8859-1: one char is one byte on the wire.
 */
final class MalformedMime {

    record Sample(String name, String message) {
    }

    private MalformedMime() {
    }

    static List<Sample> samples() {
        return List.of(
            new Sample("closing boundary missing", multipart("b1", "--b1\r\nContent-Type: text/plain\r\n\r\npart one\r\n--b1\r\n\r\npart two\r\n")),
            new Sample("boundary never used", multipart("nowhere", "just text, no parts\r\n")),
            new Sample("no boundary parameter", headers("Content-Type: multipart/mixed") + "\r\n--x\r\n\r\ntext\r\n--x--\r\n"),
            new Sample("empty boundary", headers("Content-Type: multipart/mixed; boundary=\"\"") + "\r\n--\r\n\r\ntext\r\n----\r\n"),
            new Sample("boundary of 500 characters", multipart("b".repeat(500), "--" + "b".repeat(500) + "\r\n\r\ntext\r\n--" + "b".repeat(500) + "--\r\n")),
            new Sample("multipart nested 300 deep", nested(300)),
            new Sample("2000 empty parts", manyParts(2_000)),
            new Sample("broken base64", headers("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64") + "\r\n!!!@@@###$$$\r\nAAA=AAA=\r\n====\r\n"),
            new Sample("broken quoted-printable", headers("Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable") + "\r\n=ZZ=XX=\r\n=4\r\n=\r\n"),
            new Sample("unknown transfer encoding", headers("Content-Type: text/plain\r\nContent-Transfer-Encoding: x-rot13") + "\r\nuryyb\r\n"),
            new Sample("raw UTF-8 in headers", headers("Subject: h\u00c3\u00a9llo w\u00c3\u00b6rld\r\nX-Name: J\u00c3\u00b6rg") + "\r\nbody\r\n"),
            new Sample("raw Latin-1 in headers", headers("Subject: caf\u00e9 \u00ff\u00fe") + "\r\nbody\r\n"),
            new Sample("8-bit in From and To", "From: J\u00c3\u00b6rg <a@sender.example>\r\nTo: \u00e9\u00e9 <x@y>\r\nSubject: 8-bit addresses\r\n\r\nbody\r\n"),
            new Sample("malformed encoded words", headers("Subject: =?utf-8?B?!!!?= =?no-such-charset?Q?x?= =?utf-8?Q?=ZZ?= =?utf-8?B?") + "\r\nbody\r\n"),
            new Sample("unknown charset", headers("Content-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: 8bit") + "\r\n\u00e9\u00e8\u00ff\r\n"),
            new Sample("header line without a colon", "Subject: no colon follows\r\nThis is not a header\r\nFrom: a@sender.example\r\n\r\nbody\r\n"),
            new Sample("NUL bytes", headers("X-Nul: a\0b") + "\r\nbody with \0 a NUL\r\n"),
            new Sample("conflicting Content-Type headers", headers("Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=z\r\nContent-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit") + "\r\n--z\r\n\r\nx\r\n--z--\r\n"),
            new Sample("garbage message/rfc822 part", multipart("m", "--m\r\nContent-Type: message/rfc822\r\n\r\n\0\0\u00ff not a message at all\r\n--m--\r\n")),
            new Sample("headers only, no body", "From: a@sender.example\r\nSubject: headers only\r\n"),
            new Sample("empty message", ""),
            new Sample("Content-Type garbage", headers("Content-Type: ;;;===\"unterminated; charset=\"\"\"") + "\r\nbody\r\n"),
            new Sample("10 000-character header word", headers("X-Word: " + "w".repeat(8_000)) + "\r\nbody\r\n"));
    }

    private static String headers(String extra) {
        return "From: a@sender.example\r\nSubject: malformed\r\nMIME-Version: 1.0\r\n" + extra + "\r\n";
    }

    private static String multipart(String boundary, String body) {
        return headers("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"") + "\r\n" + body;
    }

    private static String nested(int depth) {
        StringBuilder body = new StringBuilder();
        for (int level = 0; level < depth; level++) {
            body.append("--n").append(level).append("\r\nContent-Type: multipart/mixed; boundary=\"n").append(level + 1).append("\"\r\n\r\n");
        }
        body.append("--n").append(depth).append("\r\nContent-Type: text/plain\r\n\r\ndeepest\r\n");
        for (int level = depth; level >= 0; level--) {
            body.append("--n").append(level).append("--\r\n");
        }
        return multipart("n0", body.toString());
    }

    private static String manyParts(int parts) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            body.append("--p\r\n\r\n");
        }
        return multipart("p", body.append("--p--\r\n").toString());
    }
}
