package dev.gateway.smtphooks;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.smtpserver.JamesWelcomeMessageHandler;
import org.apache.james.util.DurationParser;

/**
 * Writes the greeting, after a delay for clients outside the trusted networks, and refuses a client that talks before
 * it (Postfix's {@code postscreen_greet_wait} and pregreet test, Haraka's {@code early_talker}): spam engines that
 * send their whole dialogue without waiting for replies give themselves away. Such a client gets
 * {@code 554 5.5.1 Protocol error: talked before the greeting} and is disconnected. The wait does not hold a thread:
 * the greeting is written from a timer. With no delay (the default) the greeting is written at once, as James does.
 * Used with {@link CoreCmdHandlerLoaderWithoutGreeting} in place of James's {@code CoreCmdHandlerLoader}.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.GreetAfterDelay">
 *     <delay>6s</delay>   <!-- default 0: greet at once, no early-talker test -->
 * </handler>
 * }</pre>
 */
public class GreetAfterDelay implements ConnectHandler<SMTPSession> {

    private final FrontDoorRefusals refusals;
    private final JamesWelcomeMessageHandler greeting = new JamesWelcomeMessageHandler();
    private ScheduledExecutorService timer;
    private Duration delay = Duration.ZERO;

    @Inject
    public GreetAfterDelay(FrontDoorRefusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void init(Configuration configuration) {
        delay = DurationParser.parse(configuration.getString("delay", "0s"), ChronoUnit.SECONDS);
        if (!delay.isZero()) {
            timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "smtp-greet-after-delay");
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    @Override
    public void destroy() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public Response onConnect(SMTPSession session) {
        if (timer == null || session.isRelayingAllowed()) {
            return greeting.onConnect(session);
        }
        Wait wait = new Wait(session);
        session.pushLineHandler(wait);
        timer.schedule(wait::greet, delay.toMillis(), TimeUnit.MILLISECONDS);
        return NothingToSay.INSTANCE;
    }

    /** One connection's wait for its greeting: a line read before the greeting is written ends the session. */
    private final class Wait implements LineHandler<SMTPSession> {
        private final SMTPSession session;
        private boolean done;

        Wait(SMTPSession session) {
            this.session = session;
        }

        synchronized void greet() {
            if (done) {
                return;
            }
            done = true;
            // Removed before the greeting is written: a line still reaching onLine was read before the client could
            // have seen the greeting.
            session.popLineHandler();
            ((ProtocolSessionImpl) session).getProtocolTransport().writeResponse(greeting.onConnect(session), session);
        }

        @Override
        public synchronized Response onLine(SMTPSession session, byte[] line) {
            boolean wasWaiting = !done;
            done = true;
            if (wasWaiting) {
                session.popLineHandler();
            }
            refusals.refuse(session, "early_talker", "554", "5.5.1 Protocol error: talked before the greeting",
                "sent a command before the greeting (waited " + delay.toMillis() + " ms)");
            SMTPResponse refusal = new SMTPResponse("554", "5.5.1 Protocol error: talked before the greeting");
            refusal.setEndSession(true);
            return refusal;
        }
    }
}
