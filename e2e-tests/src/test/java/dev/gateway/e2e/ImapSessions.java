package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLContext;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.RawConnection;

/** IMAP over implicit TLS as the raw-connection tests speak it: a session logged in, a message appended. */
final class ImapSessions {

    /** A session on the gateway's IMAPS port, past the greeting and logged in as {@code user} (tag {@code a1}). */
    static RawConnection loggedIn(GatewayProcess gateway, SSLContext tls, String user, String password)
            throws Exception {
        RawConnection imap = RawConnection.openTls(gateway, GatewayProcess.Port.IMAPS, tls);
        imap.lineStartingWith("* OK");
        imap.send("a1 LOGIN " + user + " \"" + password + "\"\r\n");
        assertThat(imap.lineStartingWith("a1 ")).contains("a1 OK");
        return imap;
    }

    /**
     * APPENDs {@code message} to {@code mailbox} (tag {@code a2}), asserts it was stored and returns the tagged answer
     * (with UIDPLUS's {@code [APPENDUID validity uid]}).
     */
    static String append(RawConnection imap, String mailbox, String message) throws Exception {
        imap.send("a2 APPEND " + mailbox + " {" + message.length() + "}\r\n");
        imap.lineStartingWith("+");
        imap.send(message + "\r\n");
        String answer = imap.lineStartingWith("a2 ");
        assertThat(answer).contains("a2 OK");
        return answer;
    }

    private ImapSessions() {
    }
}
