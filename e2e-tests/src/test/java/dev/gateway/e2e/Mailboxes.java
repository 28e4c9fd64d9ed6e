package dev.gateway.e2e;

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

/** Reads what reached a user's INBOX, over IMAPS with the server's own certificate trusted. */
public final class Mailboxes {

    private Mailboxes() {
    }

    /** Every message of the INBOX, raw. */
    public static List<String> inbox(GatewayProcess gateway, SSLContext tls, String user, String password) throws Exception {
        Store store = imaps(gateway, tls, user, password);
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
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", tls.getSocketFactory());
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        properties.put("mail.imaps.timeout", "20000");
        Store store = Session.getInstance(properties).getStore("imaps");
        store.connect("127.0.0.1", gateway.port(GatewayProcess.Port.IMAPS), user, password);
        return store;
    }

    /** The header block of a raw message, continuation lines unfolded. */
    public static String headers(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        return (end < 0 ? raw : raw.substring(0, end)).replace("\r\n\t", " ").replace("\r\n ", " ");
    }
}
