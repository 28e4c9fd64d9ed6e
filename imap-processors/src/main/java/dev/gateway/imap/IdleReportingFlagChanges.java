package dev.gateway.imap;

import javax.inject.Inject;

import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.IdleRequest;
import org.apache.james.imap.processor.IdleProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.events.MailboxEvents.Added;
import org.apache.james.mailbox.events.MailboxEvents.Expunged;
import org.apache.james.mailbox.events.MailboxEvents.FlagsUpdated;
import org.apache.james.metrics.api.MetricFactory;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * James's IDLE, whose untagged responses are built from the selected mailbox's state after the event was recorded:
 * a flag changed by another session is reported ({@code * n FETCH (FLAGS ...)}) while idling.
 *
 * <p>In James 3.8.1 {@code SelectedMailboxImpl.reactiveEvent} calls the IDLE listener while it assembles its reaction,
 * before it records the event; the listener then chose at once, from the flag changes recorded so far (none), to
 * send no FETCH, and its final {@code resetEvents} cleared the change once recorded: neither IDLE nor the next NOOP
 * told the client. New messages were reported because EXISTS is decided when the reaction runs. Upstream fixed both
 * sides in 3.9 (SelectedMailboxImpl defers the call; the IDLE listener defers its responses and waits for IDLE's own
 * ones). Here the listener James registers is replaced by one that builds its responses only when it runs, after
 * IDLE's own responses are out, so the two never reset each other's events.
 *
 * <p>Installed by {@link GatewayImapPackage}.
 */
public class IdleReportingFlagChanges extends IdleProcessor {

    @Inject
    public IdleReportingFlagChanges(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory) {
        super(mailboxManager, factory, metricFactory);
    }

    @Override
    protected Mono<Void> processRequestReactive(IdleRequest request, ImapSession session, Responder responder) {
        Sinks.Empty<Void> started = Sinks.empty();
        Mono<Void> idle = super.processRequestReactive(request, session, responder);
        // James registered its listener just now, synchronously; no command of this session runs before this one ends.
        SelectedMailbox selected = session.getSelected();
        if (selected != null) {
            selected.registerIdle(new DeferredListener(session, responder, started.asMono()));
        }
        return idle.doFinally(signal -> started.tryEmitEmpty());
    }

    /** Reports what the selected mailbox recorded, once IDLE's own responses are out. */
    private final class DeferredListener implements EventListener.ReactiveEventListener {

        private final ImapSession session;
        private final Responder responder;
        private final Mono<Void> started;

        DeferredListener(ImapSession session, Responder responder, Mono<Void> started) {
            this.session = session;
            this.responder = responder;
            this.started = started;
        }

        @Override
        public boolean isHandling(Event event) {
            return event instanceof Added || event instanceof Expunged || event instanceof FlagsUpdated;
        }

        @Override
        public Publisher<Void> reactiveEvent(Event event) {
            return started
                .then(Mono.defer(() -> unsolicitedResponses(session, responder, false)))
                .then(Mono.fromRunnable(responder::flush));
        }

        @Override
        public ExecutionMode getExecutionMode() {
            return ExecutionMode.ASYNCHRONOUS;
        }
    }
}
