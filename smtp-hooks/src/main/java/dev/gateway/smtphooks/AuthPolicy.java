package dev.gateway.smtphooks;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an AUTH command may go ahead on this listener, before any credentials cross the wire: no AUTH at
 * all on an MX listener, no AUTH before TLS on submission (RFC 4954's 538), only the mechanisms the admin allows.
 * Commands it lets through go on to James's AUTH handler.
 *
 * <p>James announces AUTH only after STARTTLS when the listener's {@code <auth><requireSSL>} is true, but it still
 * accepts an AUTH command sent in clear text by a client that does not care what was announced: this handler
 * closes that door.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.AuthPolicy">
 *     <requireTls>true</requireTls>          <!-- default true -->
 *     <mechanisms>PLAIN LOGIN</mechanisms>   <!-- default PLAIN LOGIN; empty: AUTH is refused on this listener -->
 * </handler>
 * }</pre>
 *
 * Replies: {@code 503 5.5.1} when AUTH is off on the listener, {@code 538 5.7.11} before TLS,
 * {@code 504 5.5.4} for a mechanism not allowed.
 */
public class AuthPolicy implements CommandHandler<SMTPSession> {

    private static final Logger LOGGER = LoggerFactory.getLogger(AuthPolicy.class);
    private static final Collection<String> COMMANDS = List.of("AUTH");

    static final Response AUTH_DISABLED = new SMTPResponse("503", "5.5.1 AUTH is not available on this port, use submission (587 or 465)").immutable();
    static final Response TLS_REQUIRED = new SMTPResponse("538", "5.7.11 Encryption required for requested authentication mechanism").immutable();
    static final Response MECHANISM_REFUSED = new SMTPResponse("504", "5.5.4 Unrecognized authentication type").immutable();

    /** The policy of one listener, read once from its handler element. */
    record Settings(boolean requireTls, Set<String> mechanisms) {
        static final String DEFAULT_MECHANISMS = "PLAIN LOGIN";

        static Settings from(Configuration configuration) {
            return new Settings(configuration.getBoolean("requireTls", true),
                SettingLists.words(configuration, "mechanisms", DEFAULT_MECHANISMS).stream()
                    .map(mechanism -> mechanism.toUpperCase(Locale.ROOT))
                    .collect(Collectors.toUnmodifiableSet()));
        }
    }

    private Settings settings = new Settings(true, Set.of("PLAIN", "LOGIN"));

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        Response refusal = refusal(settings, session.isTLSStarted(), request.getArgument());
        if (refusal != null) {
            LOGGER.info("AUTH refused from {}: {}", session.getRemoteAddress().getAddress().getHostAddress(), refusal.getLines());
        }
        return refusal;
    }

    /** The refusal for this AUTH command, or null to let James's AUTH handler take it. */
    static Response refusal(Settings settings, boolean tls, String argument) {
        if (settings.mechanisms().isEmpty()) {
            return AUTH_DISABLED;
        }
        if (settings.requireTls() && !tls) {
            return TLS_REQUIRED;
        }
        String mechanism = argument == null ? "" : argument.trim().split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
        if (!mechanism.isEmpty() && !settings.mechanisms().contains(mechanism)) {
            return MECHANISM_REFUSED;
        }
        // A bare AUTH is a syntax error that James's own handler answers.
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
