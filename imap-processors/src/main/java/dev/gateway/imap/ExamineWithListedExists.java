package dev.gateway.imap;

import javax.inject.Inject;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;

import reactor.core.publisher.Mono;

/**
 * James's EXAMINE (SELECT, read-only), whose EXISTS is the number of messages the selection holds (see {@link ExistsFromSelection}).
 * Installed by {@link GatewayImapPackage}.
 */
public class ExamineWithListedExists extends ExamineProcessor {

    @Inject
    public ExamineWithListedExists(MailboxManager mailboxManager, EventBus eventBus, StatusResponseFactory statusResponseFactory,
                                  MetricFactory metricFactory) {
        super(mailboxManager, eventBus, statusResponseFactory, metricFactory);
    }

    @Override
    protected Mono<Void> processRequestReactive(ExamineRequest request, ImapSession session, Responder responder) {
        return super.processRequestReactive(request, session, new ExistsFromSelection(responder, session));
    }
}
