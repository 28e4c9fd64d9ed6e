package dev.gateway.queue.cassandra;

import java.time.Clock;
import java.time.Duration;

import org.apache.james.queue.api.DelayedManageableMailQueueContract;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * James's own mail queue contract (FIFO, delays, concurrent dequeue, retries, browse, remove, flush, clear, size,
 * every field of a mail preserved) against the Cassandra queue on a real Cassandra. Each test gets a fresh queue.
 */
class CassandraMailQueueIT implements DelayedManageableMailQueueContract {

    @RegisterExtension
    static final CassandraExtension CASSANDRA = new CassandraExtension();

    private static CqlSession session;
    private static CassandraMailQueueFactory factory;
    private CassandraMailQueue queue;

    @BeforeAll
    static void openQueues() {
        session = CASSANDRA.server().session("queue_contract", QueueTables.MODULE);
        // Short leases and retries keep RETRY and lease tests quick; the contract does not depend on them.
        factory = new CassandraMailQueueFactory(session, QueueSettings.DEFAULT.withLease(Duration.ofSeconds(30)),
            Clock.systemUTC(), new RawMailQueueItemDecoratorFactory());
    }

    @AfterAll
    static void closeSession() {
        factory.close();
        session.close();
    }

    @BeforeEach
    void newQueue() {
        queue = factory.createQueue(MailQueueName.of("contract-" + java.util.UUID.randomUUID()));
    }

    @AfterEach
    void closeQueue() {
        queue.close();
    }

    /**
     * James's spooler rejects a mail when its processing and its error handling both failed (Cassandra unreachable):
     * the mail was answered 250, so it must come back rather than vanish.
     */
    @Test
    void aRejectedMailIsKeptAndDequeuedAgain() throws Exception {
        queue.enQueue(org.apache.james.queue.api.Mails.defaultMail().name("rejected").build());
        java.util.Iterator<MailQueue.MailQueueItem> items = reactor.core.publisher.Flux.from(queue.deQueue())
            .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).toIterable().iterator();
        MailQueue.MailQueueItem first = items.next();
        first.done(MailQueue.MailQueueItem.CompletionStatus.REJECT);
        MailQueue.MailQueueItem again = items.next();
        again.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);

        org.assertj.core.api.Assertions.assertThat(again.getMail().getName()).isEqualTo("rejected");
        org.assertj.core.api.Assertions.assertThat(queue.getSize()).isZero();
    }

    @Override
    public MailQueue getMailQueue() {
        return queue;
    }

    @Override
    public ManageableMailQueue getManageableMailQueue() {
        return queue;
    }
}
