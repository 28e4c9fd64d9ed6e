package dev.gateway.pop3hooks;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses POP3 logins (USER, PASS, APOP, AUTH) until the connection is encrypted, as IMAP's LOGINDISABLED and
 * SMTP submission already do: James's POP3 server accepts USER/PASS in clear text on port 110 and has no setting
 * to stop it. Clients use STLS first (RFC 2595), or port 995.
 *
 * <pre>{@code
 * <handlerchain>
 *     <handler class="dev.gateway.pop3hooks.LoginRequiresTls"/>
 *     <handler class="org.apache.james.pop3server.core.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 *
 * Reply before TLS: {@code -ERR [AUTH] Plaintext authentication disallowed, use STLS first} (RFC 3206's AUTH code).
 * After TLS, USER and PASS go on to James; APOP and AUTH, which James does not implement, get
 * {@code -ERR Not supported: log in with USER and PASS} (left unanswered, James would drop the connection on a
 * NullPointerException).
 */
public class LoginRequiresTls implements CommandHandler<POP3Session> {

    private static final Logger LOGGER = LoggerFactory.getLogger(LoginRequiresTls.class);
    private static final Collection<String> COMMANDS = List.of("USER", "PASS", "APOP", "AUTH");
    static final Response TLS_FIRST = new POP3Response(POP3Response.ERR_RESPONSE,
        "[AUTH] Plaintext authentication disallowed, use STLS first").immutable();

    static final Response NOT_SUPPORTED = new POP3Response(POP3Response.ERR_RESPONSE,
        "Not supported: log in with USER and PASS").immutable();
    private static final Collection<String> JAMES_LOGIN_COMMANDS = List.of("USER", "PASS");

    @Override
    public Response onCommand(POP3Session session, Request request) {
        Response refusal = refusal(session.isTLSStarted(), request.getCommand());
        if (refusal != null) {
            LOGGER.info("POP3 {} refused from {}: {}", request.getCommand(),
                session.getRemoteAddress().getAddress().getHostAddress(), refusal.getLines());
        }
        return refusal;
    }

    /** The answer to a login command, or null to let James's USER/PASS handlers take it. */
    static Response refusal(boolean tls, String command) {
        if (!tls) {
            return TLS_FIRST;
        }
        return JAMES_LOGIN_COMMANDS.contains(command.toUpperCase(java.util.Locale.ROOT)) ? null : NOT_SUPPORTED;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
