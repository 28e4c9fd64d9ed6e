package com.example.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gateway.testkit.GatewayExtension;
import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.Mailboxes;
import dev.gateway.testkit.SmtpSession;

/**
 * The three rules in a real gateway (Gateway's testkit): this project's compiled classes are packed into a jar in the
 * gateway's extensions-jars/, the configuration names them, and each rule's effect is seen from outside over real
 * sockets: the hook's reply to RCPT TO on the MX port, the headers the matcher and mailet add, read back over IMAPS.
 * The gateway is the one of the Gateway tree named by -Dgateway.source (set in pom.xml).
 */
class RulesInARealGatewayTest {

    private static final String ALICE = "alice@" + GatewayProcess.DOMAIN;
    private static final String PASSWORD = "rules test secret";
    /** ListMembersOnly guards Alice's address as if it were a list with one member. */
    private static final String MEMBER = "bob@partner.test";

    @RegisterExtension
    static final GatewayExtension GATEWAY = GatewayExtension.builder(ALICE, PASSWORD)
        .extensionClasses(Path.of("target/classes"))
        // The rules turned on as an integrator does in production: one overlay file (docs/configuration.md).
        .overlay("10-example-rules.xml", """
            <overlay>
                <handlers listeners="mx" after="dev.gateway.operations.CountSmtpResults">
                    <handler class="com.example.rules.ListMembersOnly">
                        <list>%s</list>
                        <members>%s</members>
                    </handler>
                </handlers>
                <mailets processor="local-delivery">
                    <mailet match="com.example.rules.HasAttachmentEndingIn=.exe, .scr" class="com.example.rules.MarkHandledBy">
                        <tag>executable-attachment</tag>
                    </mailet>
                </mailets>
            </overlay>
            """.formatted(ALICE, MEMBER))
        // No spam engine is needed to test these rules.
        .environment(Map.of("GATEWAY_SPAM_ENABLED", "false"))
        .build();

    @Test
    void theHookRefusesANonMemberAtRcptAndLetsAMemberThrough() throws Exception {
        try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
            smtp.ehlo("partner.test");
            assertTrue(smtp.command("MAIL FROM:<mallory@elsewhere.test>").startsWith("250"));
            assertEquals("550 5.7.1 Only members may write to <" + ALICE + ">", smtp.command("RCPT TO:<" + ALICE + ">"));
            assertTrue(smtp.command("RSET").startsWith("250"));
            assertTrue(smtp.command("MAIL FROM:<" + MEMBER + ">").startsWith("250"));
            String reply = smtp.command("RCPT TO:<" + ALICE + ">");
            assertTrue(reply.startsWith("250"), reply);
        }
    }

    @Test
    void theMatcherPicksTheExecutableAttachmentAndTheMailetTagsIt() throws Exception {
        try (SmtpSession smtp = SmtpSession.authenticatedSubmission(GATEWAY.process(), GATEWAY.tls(), ALICE, PASSWORD)) {
            assertTrue(smtp.send(ALICE, SmtpSession.message(ALICE, ALICE, "plain mail"), ALICE).startsWith("250"));
            assertTrue(smtp.send(ALICE, withAttachment("setup.EXE"), ALICE).startsWith("250"));
        }
        List<String> inbox = Mailboxes.awaitInbox(GATEWAY.process(), GATEWAY.tls(), ALICE, PASSWORD, 2);

        assertEquals(2, inbox.size());
        assertTrue(!headersWithSubject(inbox, "plain mail").contains("X-Handled-By"), inbox.toString());
        assertTrue(headersWithSubject(inbox, "a tool").contains("X-Handled-By: executable-attachment"), inbox.toString());
    }

    private static String withAttachment(String filename) {
        return "From: " + ALICE + "\r\nTo: " + ALICE + "\r\nSubject: a tool\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain\r\n\r\nthe tool, attached\r\n"
            + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + filename
            + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b1--\r\n";
    }

    private static String headersWithSubject(List<String> inbox, String subject) {
        return inbox.stream().map(Mailboxes::headers).filter(headers -> headers.contains("Subject: " + subject))
            .findFirst().orElseThrow(() -> new AssertionError("no mail with subject " + subject + " in " + inbox));
    }
}
