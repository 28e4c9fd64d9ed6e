package dev.gateway.smtphooks;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.events.MessageMoveEvent;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teaches the spam engine from what users do over IMAP: a message moved into the user's Spam folder is learned as
 * spam, a message moved out of it (anywhere but Trash) as ham: with spamd's {@code TELL} (spamd must run with
 * {@code --allow-tell}; {@code bin/spamd} does), or with rspamd's controller, {@code /learnspam} and
 * {@code /learnham} ({@code bin/rspamd}'s controller trusts 127.0.0.1; set {@code rspamdPassword} for one that
 * does not). Only moves count (IMAP MOVE, or JMAP-style moves): a copy, a
 * delivery or a deletion teaches nothing, so ordinary delivery never trains the filter.
 *
 * <p>Registered in {@code listeners.xml}, asynchronous so that a slow spamd never slows IMAP:
 * <pre>{@code
 * <listener>
 *     <class>dev.gateway.smtphooks.SpamLearningListener</class>
 *     <async>true</async>
 *     <configuration>
 *         <enabled>true</enabled>                   <!-- default true -->
 *         <engine>spamassassin</engine>             <!-- spamassassin (default) or rspamd, as the SpamFilter's -->
 *         <spamdHost>127.0.0.1</spamdHost>          <!-- default 127.0.0.1 -->
 *         <spamdPort>783</spamdPort>                <!-- default 783 -->
 *         <rspamdHost>127.0.0.1</rspamdHost>        <!-- default 127.0.0.1 -->
 *         <rspamdControllerPort>11334</rspamdControllerPort> <!-- default 11334 -->
 *         <rspamdPassword></rspamdPassword>         <!-- default none -->
 *         <timeout>30s</timeout>                    <!-- default 30 seconds, per message -->
 *         <spamMailbox>Spam</spamMailbox>           <!-- default Spam, compared without case -->
 *         <trashMailbox>Trash</trashMailbox>        <!-- default Trash: moving spam to the trash is not "ham" -->
 *     </configuration>
 * </listener>
 * }</pre>
 *
 * A message the engine cannot be told about is logged at WARN and skipped (learning is best effort, never retried).
 */
public class SpamLearningListener implements EventListener.GroupEventListener {

    /** The listener's group: one registration per server, whatever the number of nodes. */
    public static class SpamLearningGroup extends Group {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(SpamLearningListener.class);
    private static final Group GROUP = new SpamLearningGroup();

    private final MailboxManager mailboxManager;
    private final MessageIdManager messageIdManager;
    private final ExecutionMode executionMode;
    private final boolean enabled;
    private final String spamMailbox;
    private final String trashMailbox;
    private final SpamEngine engine;

    @Inject
    public SpamLearningListener(MailboxManager mailboxManager, MessageIdManager messageIdManager,
                                ExecutionMode executionMode, HierarchicalConfiguration<ImmutableNode> configuration) {
        this.mailboxManager = mailboxManager;
        this.messageIdManager = messageIdManager;
        this.executionMode = executionMode;
        this.enabled = configuration.getBoolean("enabled", true);
        this.spamMailbox = configuration.getString("spamMailbox", "Spam").trim();
        this.trashMailbox = configuration.getString("trashMailbox", "Trash").trim();
        Duration timeout = DurationParser.parse(configuration.getString("timeout", "30s"));
        SpamEngineSettings engineSettings = SpamEngineSettings.from(configuration);
        this.engine = engineSettings.create(Duration.ofSeconds(2), timeout);
        LOGGER.info("Spam learning {}: moves into and out of '{}' are told to {}",
            enabled ? "enabled" : "disabled", spamMailbox, engineSettings);
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return executionMode;
    }

    @Override
    public boolean isHandling(Event event) {
        return enabled && event instanceof MessageMoveEvent;
    }

    @Override
    public void event(Event event) throws MailboxException {
        MessageMoveEvent move = (MessageMoveEvent) event;
        MailboxSession session = mailboxManager.createSystemSession(move.getUsername());
        try {
            boolean intoSpam = anyNamed(move.getMessageMoves().addedMailboxIds(), spamMailbox, session);
            boolean outOfSpam = anyNamed(move.getMessageMoves().removedMailboxIds(), spamMailbox, session)
                && !anyNamed(move.getMessageMoves().addedMailboxIds(), trashMailbox, session);
            if (intoSpam == outOfSpam) {
                // Said once per move so that an admin (and a test) can tell "nothing to learn" from "not seen yet".
                LOGGER.info("Move of {} message(s) of {} teaches nothing: neither into nor out of '{}' (or into '{}')",
                    move.getMessageIds().size(), move.getUsername().asString(), spamMailbox, trashMailbox);
                return;
            }
            for (Map.Entry<MessageId, MessageResult> message : messages(move, session).entrySet()) {
                tell(message.getValue(), intoSpam, move);
            }
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    private void tell(MessageResult message, boolean spam, MessageMoveEvent move) {
        String user = move.getUsername().asString();
        try (InputStream content = message.getFullContent().getInputStream()) {
            SpamEngine.Learned learned = engine.learn(content.readAllBytes(), spam, user);
            if (learned == SpamEngine.Learned.NOT_LEARNED) {
                LOGGER.info("Message {} of {} not learned as {}: {} skipped it (too few words for its classifier, or its learn condition)",
                    message.getMessageId().serialize(), user, spam ? "spam" : "ham", engine.describe());
            } else {
                LOGGER.info("Learned message {} of {} as {}{}", message.getMessageId().serialize(), user,
                    spam ? "spam" : "ham", learned == SpamEngine.Learned.ALREADY_KNOWN ? " (already known as such)" : "");
            }
        } catch (IOException | MailboxException e) {
            LOGGER.warn("Could not teach {} message {} of {} as {}: {}", engine.describe(), message.getMessageId().serialize(), user,
                spam ? "spam" : "ham", e.getMessage());
        }
    }

    /** The moved messages, once each (a message in several mailboxes is returned once per mailbox). */
    private Map<MessageId, MessageResult> messages(MessageMoveEvent move, MailboxSession session) throws MailboxException {
        Map<MessageId, MessageResult> unique = new LinkedHashMap<>();
        for (MessageResult result : messageIdManager.getMessages(move.getMessageIds(), FetchGroup.FULL_CONTENT, session)) {
            unique.putIfAbsent(result.getMessageId(), result);
        }
        return unique;
    }

    private boolean anyNamed(Set<MailboxId> mailboxIds, String name, MailboxSession session) {
        for (MailboxId id : mailboxIds) {
            try {
                String mailboxName = mailboxManager.getMailbox(id, session).getMailboxPath().getName();
                if (mailboxName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            } catch (MailboxException e) {
                // Deleted since the move: it cannot be the folder we look for any more.
                LOGGER.debug("Mailbox {} not found", id, e);
            }
        }
        return false;
    }
}
