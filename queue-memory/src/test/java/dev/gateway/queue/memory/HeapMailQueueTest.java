package dev.gateway.queue.memory;

import static org.apache.james.queue.api.Mails.defaultMail;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import org.apache.james.queue.api.DelayedManageableMailQueueContract;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;

/** James's own contract for delayed, manageable queues, plus what the single copy must not break. */
class HeapMailQueueTest implements DelayedManageableMailQueueContract {

    private HeapMailQueueFactory factory;
    private HeapMailQueue queue;

    @BeforeEach
    void setUp() {
        factory = new HeapMailQueueFactory(Clock.systemUTC(), new RawMailQueueItemDecoratorFactory());
        queue = factory.createQueue(MailQueueName.of("test"));
    }

    @AfterEach
    void tearDown() {
        factory.close();
    }

    @Override
    public MailQueue getMailQueue() {
        return queue;
    }

    @Override
    public ManageableMailQueue getManageableMailQueue() {
        return queue;
    }

    @Test
    void changesToTheEnqueuedMailAfterEnqueueDoNotReachTheQueue() throws Exception {
        Mail mail = defaultMail().name("original").build();
        queue.enQueue(mail);
        mail.getMessage().setHeader("X-Changed", "after enqueue");
        mail.getMessage().saveChanges();

        Mail dequeued = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(10)).getMail();

        assertThat(dequeued.getMessage().getHeader("X-Changed")).isNull();
    }

    @Test
    void aRetriedMailComesBackAsProcessingLeftIt() throws Exception {
        queue.enQueue(defaultMail().name("retried").build());
        MailQueue.MailQueueItem first = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(10));
        first.getMail().getMessage().setHeader("X-Attempt", "1");
        first.getMail().getMessage().saveChanges();
        first.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);

        MailQueue.MailQueueItem second = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(10));

        assertThat(second.getMail().getName()).isEqualTo("retried");
        assertThat(second.getMail().getMessage().getHeader("X-Attempt")).containsExactly("1");
    }

    @Test
    void theDequeuedMessageHasTheEnqueuedBytes() throws Exception {
        Mail mail = defaultMail().name("bytes").build();
        ByteArrayOutputStream before = new ByteArrayOutputStream();
        mail.getMessage().writeTo(before);
        queue.enQueue(mail);

        Mail dequeued = Flux.from(queue.deQueue()).blockFirst(Duration.ofSeconds(10)).getMail();
        ByteArrayOutputStream after = new ByteArrayOutputStream();
        dequeued.getMessage().writeTo(after);

        assertThat(after.toString(StandardCharsets.ISO_8859_1)).isEqualTo(before.toString(StandardCharsets.ISO_8859_1));
        assertThat(dequeued.getMessageSize()).isEqualTo(before.size());
    }
}
