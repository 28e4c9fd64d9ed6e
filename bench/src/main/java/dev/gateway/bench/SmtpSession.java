package dev.gateway.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain SMTP session that sends whole messages one transaction after another and gives back the reply that ended
 * each: the first refusal (at MAIL, RCPT or DATA) or the reply to the end of the data. Raw rather than a mail library,
 * so that a corpus message goes out byte for byte as the corpus has it (only dot-stuffed, over-long lines broken), headers and all.
 */
final class SmtpSession implements AutoCloseable {

    /** The reply that ended a transaction, and the command it answered. */
    record Reply(String stage, int code, String text) {
        boolean accepted() {
            return code == 250;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private SmtpSession(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    static SmtpSession open(String host, int port, String helo, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        SmtpSession session = new SmtpSession(socket);
        try {
            session.expect("greeting", session.reply(), 220);
            session.expect("EHLO", session.command("EHLO " + helo), 250);
        } catch (IOException e) {
            session.close();
            throw e;
        }
        return session;
    }

    Reply send(String sender, String recipient, byte[] content) throws IOException {
        Reply reply = command("MAIL FROM:<" + sender + ">");
        if (reply.code() != 250) {
            return reset(new Reply("MAIL", reply.code(), reply.text()));
        }
        reply = command("RCPT TO:<" + recipient + ">");
        if (reply.code() != 250) {
            return reset(new Reply("RCPT", reply.code(), reply.text()));
        }
        reply = command("DATA");
        if (reply.code() != 354) {
            return reset(new Reply("DATA", reply.code(), reply.text()));
        }
        out.write(onTheWire(content));
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        reply = reply();
        return new Reply("end of data", reply.code(), reply.text());
    }

    private Reply reset(Reply ending) throws IOException {
        command("RSET");
        return ending;
    }

    /** The most a line may hold before its CRLF (RFC 5321 4.5.3.1.6). */
    private static final int MAX_LINE = 998;

    /**
     * The data as it goes on the wire: a line starting with a dot gets one more (RFC 5321 4.5.2), and a line longer
     * than 998 octets is broken with CRLF and a space, as Postfix's smtp client does ({@code smtp_line_length_limit}).
     * A few corpus messages have such lines; sent whole, the server refuses the line in the middle of the data and
     * reads the rest as commands. Content ends with CRLF.
     */
    static byte[] onTheWire(byte[] content) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream(content.length + 16);
        int column = 0;
        for (byte b : content) {
            if (column == 0 && b == '.') {
                wire.write('.');
                column++;
            }
            if (b != '\r' && b != '\n' && column >= MAX_LINE) {
                wire.write('\r');
                wire.write('\n');
                wire.write(' ');
                column = 1;
            }
            wire.write(b);
            column = b == '\n' ? 0 : column + 1;
        }
        return wire.toByteArray();
    }

    private Reply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    /** A reply, multi-line ones ({@code 250-...}) read to their last line. */
    private Reply reply() throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            String line = line();
            if (line.length() < 3) {
                throw new IOException("not an SMTP reply: " + line);
            }
            text.append(text.length() == 0 ? "" : " / ").append(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) != '-') {
                return new Reply("", Integer.parseInt(line.substring(0, 3)), text.toString());
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1) {
            throw new IOException("the server closed the connection");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private void expect(String what, Reply reply, int code) throws IOException {
        if (reply.code() != code) {
            throw new IOException(what + ": " + reply.code() + " " + reply.text());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                command("QUIT");
            }
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            socket.close();
        }
    }
}
