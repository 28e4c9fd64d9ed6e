package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.HeaderTerm;

import org.eclipse.angus.mail.imap.IMAPFolder;

import dev.gateway.testkit.GatewayProcess;
import dev.gateway.testkit.SmtpSession;

/**
 * Learning over IMAP with the real server and a real spamd: moving a message into the Spam folder teaches spamd's
 * Bayes database one more spam, moving it back teaches it as ham; moves elsewhere (an archive, spam to the trash)
 * teach nothing. spamd runs without auto-learning here, so its counts change only through TELL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpamLearningIT {

    private static final String PASSWORD = "spam learning test password";
    private static final String USER = "learner@" + GatewayProcess.DOMAIN;

    @RegisterExtension
    static final GatewayExtension GATEWAY = GatewayExtension.withSpamd(Map.of("GATEWAY_SPAMD_AUTOLEARN", "0"), USER, PASSWORD, Map.of());

    @Test
    void movesIntoAndOutOfSpamTeachSpamdAndOtherMovesDoNot() throws Exception {
        List<String> ids = List.of(SpamMessages.newMessageId(), SpamMessages.newMessageId(), SpamMessages.newMessageId());
        for (String id : ids) {
            try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
                smtp.ehlo("sender.example");
                assertThat(smtp.send("carol@sender.example", SpamMessages.clean(id, USER, "learning " + id), USER)).startsWith("250");
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> GATEWAY.webAdmin().deliveredCount(USER) == 3);
        long[] before = GATEWAY.spamd().learned();
        long tellsBefore = GATEWAY.spamd().tells();

        try (Store store = imap()) {
            Folder inbox = store.getFolder("INBOX");
            for (String name : List.of("Spam", "Archive", "Trash")) {
                store.getFolder(name).create(Folder.HOLDS_MESSAGES);
            }
            inbox.open(Folder.READ_WRITE);

            move(inbox, ids.get(0), store.getFolder("Archive"));
            move(inbox, ids.get(1), store.getFolder("Spam"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(GATEWAY.spamd().learned()).containsExactly(before[0] + 1, before[1]));

            Folder spam = store.getFolder("Spam");
            spam.open(Folder.READ_WRITE);
            move(spam, ids.get(1), inbox);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(GATEWAY.spamd().learned()).as("relearned as ham").containsExactly(before[0], before[1] + 1));

            move(inbox, ids.get(2), spam);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(GATEWAY.spamd().learned()).containsExactly(before[0] + 1, before[1] + 1));
            move(spam, ids.get(2), store.getFolder("Trash"));
        }

        // The asynchronous listener says so when a move teaches nothing: once it has said it of the archive and the
        // trash moves, it has handled every move, and nothing else was told.
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readAllLines(GATEWAY.process().log()).stream()
            .filter(line -> line.contains("message(s) of " + USER + " teaches nothing")).count() == 2);
        assertThat(GATEWAY.spamd().learned()).containsExactly(before[0] + 1, before[1] + 1);
        assertThat(GATEWAY.spamd().tells() - tellsBefore).isEqualTo(3);
    }

    private Store imap() throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", GATEWAY.tls().getSocketFactory());
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        properties.put("mail.imaps.timeout", "20000");
        Store store = Session.getInstance(properties).getStore("imaps");
        store.connect("127.0.0.1", GATEWAY.process().port(GatewayProcess.Port.IMAPS), USER, PASSWORD);
        return store;
    }

    /** IMAP MOVE of the message with this Message-ID. */
    private static void move(Folder from, String messageId, Folder to) throws Exception {
        Message[] found = from.search(new HeaderTerm("Message-ID", "<" + messageId + ">"));
        assertThat(found).hasSize(1);
        ((IMAPFolder) from).moveMessages(found, to);
    }
}
