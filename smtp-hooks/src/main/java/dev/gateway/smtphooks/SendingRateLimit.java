package dev.gateway.smtphooks;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps how much one authenticated user can send per window, so that a stolen password or an infected client
 * cannot turn the gateway into a spam cannon: messages are counted at MAIL FROM, recipients at RCPT TO (the
 * transactions asked for, as Postfix's anvil counts), in {@link WindowedCounters} shared by every listener.
 * Once over a limit the user gets a temporary refusal until the window ends; nothing already accepted is touched.
 * A refused transaction is taken back off the count, so that a client retrying while refused does not keep itself
 * refused (the shared counters of the cluster profile slide their window). Place it after the rules that refuse
 * recipients (RelayControl, RefuseHostileAddresses) so that refused recipients are not counted.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.SendingRateLimit">
 *     <maxMessages>200</maxMessages>       <!-- per user per window, default 200 -->
 *     <maxRecipients>1000</maxRecipients>  <!-- per user per window, default 1000 -->
 *     <window>1h</window>                  <!-- default 1 hour -->
 * </handler>
 * }</pre>
 *
 * Replies: {@code 450 4.7.1 Message rate limit exceeded ...} at MAIL FROM (as Postfix's anvil answers), {@code 452
 * 4.7.1 Recipient rate limit exceeded ...} at RCPT TO (RFC 5321's "too many recipients", so a client sends the
 * other recipients later).
 */
public class SendingRateLimit implements MailHook, RcptHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(SendingRateLimit.class);

    /** Limits read once from the handler element. */
    record Settings(long maxMessages, long maxRecipients, Duration window) {
        static Settings from(Configuration configuration) {
            Settings settings = new Settings(configuration.getLong("maxMessages", 200),
                configuration.getLong("maxRecipients", 1000),
                DurationParser.parse(configuration.getString("window", "1h"), ChronoUnit.SECONDS));
            if (settings.maxMessages < 1 || settings.maxRecipients < 1) {
                throw new IllegalArgumentException("SendingRateLimit limits must be at least 1: " + settings);
            }
            return settings;
        }
    }

    private final WindowedCounters counters;
    private Settings settings = new Settings(200, 1000, Duration.ofHours(1));

    @Inject
    public SendingRateLimit(WindowedCounters counters) {
        this.counters = counters;
    }

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return count(session, "sent-messages:", settings.maxMessages(), "Message", "450");
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return count(session, "sent-recipients:", settings.maxRecipients(), "Recipient", "452");
    }

    private HookResult count(SMTPSession session, String prefix, long limit, String what, String replyCode) {
        Username user = session.getUsername();
        if (user == null) {
            return HookResult.DECLINED;
        }
        String key = prefix + user.asString();
        long count = counters.add(key, 1, settings.window());
        if (count <= limit) {
            return HookResult.DECLINED;
        }
        counters.add(key, -1, settings.window());
        LOGGER.warn("{} rate limit of {} per {} exceeded by {}", what, limit, settings.window(), user.asString());
        return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode(replyCode)
            .smtpDescription("4.7.1 " + what + " rate limit exceeded for " + user.asString() + ", try again later")
            .build();
    }
}
