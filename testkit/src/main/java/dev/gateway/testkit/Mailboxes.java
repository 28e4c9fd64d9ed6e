package dev.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.net.ssl.SSLContext;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;

/**
 * Reads what reached a user's INBOX, over IMAPS or POP3S with the server's own certificate trusted, and waits for
 * delivery:
 *
 * <pre>{@code
 * List<String> inbox = Mailboxes.awaitInbox(GATEWAY.process(), GATEWAY.tls(), USER, PASSWORD, 1);
 * assertThat(Mailboxes.headers(inbox.get(0))).contains("X-Handled-By: my-rule");
 * }</pre>
 */
public final class Mailboxes {

    private Mailboxes() {
    }

    /** Every message of the INBOX, raw, read over IMAPS. */
    public static List<String> inbox(GatewayProcess gateway, SSLContext tls, String user, String password) throws Exception {
        return readInbox(imaps(gateway, tls, user, password));
    }

    /** Every message of the INBOX, raw, read over POP3S. */
    public static List<String> pop3Inbox(GatewayProcess gateway, SSLContext tls, String user, String password) throws Exception {
        return readInbox(store("pop3s", gateway.port(GatewayProcess.Port.POP3S), tls, user, password));
    }

    /**
     * Waits (up to 30 s) until the INBOX holds at least {@code count} messages, read over IMAPS, and returns them
     * all: delivery runs after the SMTP reply, through the spool.
     */
    public static List<String> awaitInbox(GatewayProcess gateway, SSLContext tls, String user, String password,
                                          int count) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .pollInterval(java.time.Duration.ofMillis(300))
            .until(() -> inbox(gateway, tls, user, password), messages -> messages.size() >= count);
    }

    private static List<String> readInbox(Store store) throws Exception {
        try (store; Folder inbox = store.getFolder("INBOX")) {
            inbox.open(Folder.READ_ONLY);
            List<String> messages = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                message.writeTo(out);
                messages.add(out.toString(StandardCharsets.UTF_8));
            }
            return messages;
        }
    }

    /** A JavaMail IMAPS store logged in as the user; the caller closes it. */
    public static Store imaps(GatewayProcess gateway, SSLContext tls, String user, String password) throws Exception {
        return store("imaps", gateway.port(GatewayProcess.Port.IMAPS), tls, user, password);
    }

    private static Store store(String protocol, int port, SSLContext tls, String user, String password) throws Exception {
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".ssl.socketFactory", tls.getSocketFactory());
        properties.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        properties.put("mail." + protocol + ".timeout", "20000");
        Store store = Session.getInstance(properties).getStore(protocol);
        store.connect("127.0.0.1", port, user, password);
        return store;
    }

    /** The header block of a raw message, continuation lines unfolded. */
    public static String headers(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        return (end < 0 ? raw : raw.substring(0, end)).replace("\r\n\t", " ").replace("\r\n ", " ");
    }
}
