package dev.gateway.imap;

import javax.inject.Inject;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.SelectRequest;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;

import reactor.core.publisher.Mono;

/**
 * James's SELECT, whose EXISTS is the number of messages the selection holds (see {@link ExistsFromSelection}).
 * Installed by {@link GatewayImapPackage}.
 */
public class SelectWithListedExists extends SelectProcessor {

    @Inject
    public SelectWithListedExists(MailboxManager mailboxManager, EventBus eventBus, StatusResponseFactory statusResponseFactory,
                                  MetricFactory metricFactory) {
        super(mailboxManager, eventBus, statusResponseFactory, metricFactory);
    }

    @Override
    protected Mono<Void> processRequestReactive(SelectRequest request, ImapSession session, Responder responder) {
        return super.processRequestReactive(request, session, new ExistsFromSelection(responder, session));
    }
}
