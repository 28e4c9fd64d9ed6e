package dev.gateway.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.net.ssl.SSLContext;

import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.SMTPConnectionClosedException;
import org.apache.commons.net.smtp.SMTPReply;

/**
 * One SMTP conversation over a real socket, where every reply's code and text are visible: tests of a policy
 * assert exact codes such as "554 5.7.1", which JavaMail would hide behind exceptions.
 */
public final class SmtpSession implements AutoCloseable {

    private final AuthenticatingSMTPClient client;

    private SmtpSession(AuthenticatingSMTPClient client) {
        this.client = client;
    }

    /** Connects in clear text (STARTTLS may follow). */
    public static SmtpSession connect(GatewayProcess gateway, GatewayProcess.Port port, SSLContext tls) throws IOException {
        return open(false, tls, client -> client.connect("127.0.0.1", gateway.port(port)));
    }

    /**
     * Connects in clear text from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...): Linux routes the
     * whole 127/8 to the loopback interface, so one machine can play several clients.
     */
    public static SmtpSession connectFrom(java.net.InetAddress source, GatewayProcess gateway, GatewayProcess.Port port, SSLContext tls) throws IOException {
        return open(false, tls, client -> client.connect(java.net.InetAddress.getByName("127.0.0.1"), gateway.port(port), source, 0));
    }

    /** Connects to the submission port, STARTTLS, AUTH PLAIN: ready for MAIL FROM, or an IOException saying why not. */
    public static SmtpSession authenticatedSubmission(GatewayProcess gateway, SSLContext tls, String user, String password) throws IOException {
        SmtpSession smtp = connect(gateway, GatewayProcess.Port.SUBMISSION, tls);
        smtp.ehlo("client.example");
        smtp.startTls("client.example");
        String reply = smtp.authPlain(user, password);
        if (!reply.startsWith("235")) {
            smtp.close();
            throw new IOException("AUTH as " + user + " refused: " + reply);
        }
        return smtp;
    }

    /** Connects with implicit TLS, as to port 465. */
    public static SmtpSession connectImplicitTls(GatewayProcess gateway, GatewayProcess.Port port, SSLContext tls) throws IOException {
        return open(true, tls, client -> client.connect("127.0.0.1", gateway.port(port)));
    }

    private interface Connector {
        void connect(AuthenticatingSMTPClient client) throws IOException;
    }

    /** A client with 20 s timeouts, connected by {@code connector}; implicit TLS when {@code implicitTls}. */
    private static SmtpSession open(boolean implicitTls, SSLContext tls, Connector connector) throws IOException {
        AuthenticatingSMTPClient client = new AuthenticatingSMTPClient(implicitTls, tls);
        client.setDefaultTimeout(20_000);
        connector.connect(client);
        client.setSoTimeout(20_000);
        return new SmtpSession(client);
    }

    /** Sends one command line and returns the full reply ("250 2.1.0 Sender OK"), trimmed. */
    public String command(String line) throws IOException {
        exchange(() -> client.sendCommand(line));
        return reply();
    }

    private interface Exchange {
        void run() throws IOException;
    }

    /**
     * Runs an exchange, returning normally when the server answered 421: commons-net reads the 421 and then throws,
     * but the 421 (with its enhanced code) is the server's answer, which the tests classify and assert. A connection
     * that closed without a reply still throws.
     */
    private void exchange(Exchange exchange) throws IOException {
        try {
            exchange.run();
        } catch (SMTPConnectionClosedException closed) {
            if (client.getReplyCode() != SMTPReply.SERVICE_NOT_AVAILABLE || reply().isEmpty()) {
                throw closed;
            }
        }
    }

    public String ehlo(String name) throws IOException {
        return command("EHLO " + name);
    }

    /** STARTTLS and a fresh EHLO, returning the EHLO reply. */
    public String startTls(String ehloName) throws IOException {
        if (!client.execTLS()) {
            throw new IOException("STARTTLS refused: " + reply());
        }
        return ehlo(ehloName);
    }

    /** AUTH PLAIN with an initial response; returns the final reply. */
    public String authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    /** Sends DATA and the message (commons-net dot-stuffs it); returns the reply to the final dot, or to DATA. */
    public String data(String message) throws IOException {
        java.io.Writer[] writer = new java.io.Writer[1];
        exchange(() -> writer[0] = client.sendMessageData());
        if (writer[0] == null) {
            return reply();
        }
        try (java.io.Writer body = writer[0]) {
            body.write(message);
        }
        exchange(client::completePendingCommand);
        return reply();
    }

    /** A whole transaction: MAIL, each RCPT (stopping at the first refusal), DATA; returns the last reply. */
    public String send(String from, String message, String... recipients) throws IOException {
        String reply = command("MAIL FROM:<" + from + ">");
        if (!SMTPReply.isPositiveCompletion(client.getReplyCode())) {
            return reply;
        }
        for (String recipient : recipients) {
            reply = command("RCPT TO:<" + recipient + ">");
            if (!SMTPReply.isPositiveCompletion(client.getReplyCode())) {
                return reply;
            }
        }
        return data(message);
    }

    public int replyCode() {
        return client.getReplyCode();
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    private String reply() {
        return client.getReplyString().trim();
    }

    /** A small message with the given headers. */
    public static String message(String from, String to, String subject) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n";
    }

    @Override
    public void close() throws IOException {
        if (client.isConnected()) {
            try {
                client.sendCommand("QUIT");
            } catch (IOException ignored) {
                // The server may have closed the connection already (a 421 or a disconnecting hook).
            }
            client.disconnect();
        }
    }
}
