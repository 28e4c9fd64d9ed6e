package dev.gateway.e2e;

import java.util.UUID;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/** Messages for the spam filter tests, each with a Message-ID of its own so spamd's log shows its scans. */
final class SpamMessages {

    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private SpamMessages() {
    }

    /** Sends a message from carol@sender.example to the MX port, as another mail server would; returns the reply to DATA. */
    static String sendToMx(GatewayProcess gateway, javax.net.ssl.SSLContext tls, String message, String to) throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(gateway, GatewayProcess.Port.SMTP, tls)) {
            smtp.ehlo("sender.example");
            return smtp.send("carol@sender.example", message, to);
        }
    }

    static String newMessageId() {
        return UUID.randomUUID() + "@sender.example";
    }

    static String clean(String messageId, String to, String subject) {
        return "From: Carol <carol@sender.example>\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n"
            + "Message-ID: <" + messageId + ">\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n"
            + "Hi,\r\n\r\nshall we meet on Thursday to go through the quarterly figures? I have booked the small room.\r\n\r\nCarol\r\n"
            // SpamAssassin's Bayes tells messages apart by their Date and body, not their Message-ID: keep bodies distinct.
            + "(ref " + messageId + ")\r\n";
    }

    static String gtube(String messageId, String to) {
        return "From: spammer@sender.example\r\nTo: " + to + "\r\nSubject: test\r\n"
            + "Message-ID: <" + messageId + ">\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n" + GTUBE + "\r\n";
    }

    /**
     * Advance-fee fraud that the rules Debian ships score at about 19 through the gateway (20.4 with spamc alone,
     * minus ALL_TRUSTED for the loopback relay): above the test quarantine threshold, far below GTUBE's 1000.
     */
    static String advanceFee(String messageId) {
        return "From: \"Dr. Mike Williams\" <mike.williams@lottery-winners.example>\r\n"
            + "To: undisclosed-recipients:;\r\n"
            + "Subject: URGENT: You have WON $5,000,000.00 USD !!! Claim your prize now\r\n"
            + "Message-ID: <" + messageId + ">\r\n"
            + "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/html; charset=us-ascii\r\n"
            + "\r\n"
            + "<html><body>\r\n"
            + "<p>Dear Beneficiary,</p>\r\n"
            + "<p>CONGRATULATIONS!!! Your email address has won the sum of $5,000,000.00 (Five Million United States"
            + " Dollars) in our international lottery award program. This is 100% GUARANTEED and RISK FREE.</p>\r\n"
            + "<p>To claim your winning funds, send us your full name, bank account number, telephone number and next of"
            + " kin details. Act now! This offer expires today. Click here to claim:"
            + " <a href=\"http://192.168.10.1/claim\">http://claim-your-prize.example/</a></p>\r\n"
            + "<p>Viagra, Cialis, cheap meds without prescription. Lose weight fast. Earn extra cash from home. No credit"
            + " check. Refinance your mortgage today at the lowest rates.</p>\r\n"
            + "<p>Yours faithfully,<br>Barrister Mike Williams<br>Foreign Transfer Manager</p>\r\n"
            + "</body></html>\r\n";
    }
}
