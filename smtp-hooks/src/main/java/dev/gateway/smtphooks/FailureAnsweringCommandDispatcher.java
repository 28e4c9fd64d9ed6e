package dev.gateway.smtphooks;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James's SMTP command dispatcher, logging a command that failed inside the server (a hook threw: Cassandra down under
 * the recipient check, say) as one WARN line with its cause before answering the session's fatal-error reply
 * ({@link FailClosingSmtpSession}: 421 4.3.0, closing). James's own dispatcher catches the same exception but logs it
 * at ERROR with its stack trace, once per command, which during an outage buries the log.
 */
public class FailureAnsweringCommandDispatcher extends CommandDispatcher<SMTPSession> {
    private static final Logger LOGGER = LoggerFactory.getLogger(FailureAnsweringCommandDispatcher.class);

    @Override
    protected Response dispatchCommandHandlers(SMTPSession session, Request request) {
        try {
            return super.dispatchCommandHandlers(session, request);
        } catch (RuntimeException failure) {
            Response answer = session.newFatalErrorResponse();
            LOGGER.warn("SMTP {} from {} failed, answered {}: {}", request.getCommand(),
                session.getRemoteAddress().getAddress().getHostAddress(), FailureCause.firstLine(answer),
                FailureCause.describe(failure));
            LOGGER.debug("SMTP {} failed", request.getCommand(), failure);
            return answer;
        }
    }
}
