package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.gateway.queue.memory.HeapMailQueue;
import dev.gateway.queue.memory.HeapMailQueueFactory;

/** Hold, release, delete, flush and requeue on the memory profile's queue and James's memory repository. */
class QueueOperationsTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private HeapMailQueueFactory queues;
    private MemoryMailRepository held;
    private QueueOperations operations;
    private HeapMailQueue outgoing;

    @BeforeEach
    void setUp() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        queues = new HeapMailQueueFactory(clock, new RawMailQueueItemDecoratorFactory());
        queues.createQueue(MailQueueName.of("spool"));
        outgoing = queues.createQueue(MailQueueName.of("outgoing"));
        held = new MemoryMailRepository();
        operations = new QueueOperations(queues, new OneRepository(held), clock);
    }

    @Test
    void heldMailLeavesItsQueueAndGoesBackToItOnRelease() throws Exception {
        outgoing.enQueue(mail("m1", "bob@later.test", "Mon, 30 Nov 2026 09:00:00 +0000"), Duration.ofHours(1));
        outgoing.enQueue(mail("m2", "carl@other.test", "Mon, 30 Nov 2026 11:59:00 +0000"), Duration.ofHours(1));

        assertThat(operations.hold(filter(null, "later.test", null))).isEqualTo(1);
        assertThat(ids(operations.queued(filter(null, null, null)))).containsExactly("m2");
        assertThat(held.size()).isEqualTo(1);
        assertThat(operations.held(filter(null, null, null))).singleElement()
            .satisfies(mail -> assertThat(mail.queue()).isEqualTo("outgoing"));

        assertThat(operations.release(filter(null, "later.test", null))).isEqualTo(1);
        assertThat(held.size()).isZero();
        assertThat(ids(operations.queued(filter("outgoing", null, null)))).containsExactly("m1", "m2");
        assertThat(operations.queued(filter(null, "later.test", null))).singleElement()
            .satisfies(mail -> assertThat(mail.nextAttempt()).as("released mail is due at once").contains(NOW));
    }

    @Test
    void ageComesFromTheTopReceivedHeader() throws Exception {
        outgoing.enQueue(mail("old", "bob@later.test", "Mon, 30 Nov 2026 09:00:00 +0000"));
        outgoing.enQueue(mail("new", "bob@later.test", "Mon, 30 Nov 2026 11:59:00 +0000"));

        assertThat(ids(operations.queued(filter(null, null, "2h")))).containsExactly("old");
        assertThat(operations.queued(filter(null, null, null)).get(0).summary(NOW)).containsEntry("ageSeconds", 3L * 3600);
    }

    @Test
    void deleteTakesOnlyWhatMatchesAndFlushOfASubsetMakesItDue() throws Exception {
        outgoing.enQueue(mail("m1", "bob@later.test", "Mon, 30 Nov 2026 09:00:00 +0000"), Duration.ofHours(1));
        outgoing.enQueue(mail("m2", "carl@other.test", "Mon, 30 Nov 2026 09:00:00 +0000"), Duration.ofHours(1));

        assertThat(operations.flush(filter(null, "other.test", null))).isEqualTo(1);
        assertThat(operations.queued(filter(null, "other.test", null)).get(0).nextAttempt()).contains(NOW);
        assertThat(operations.queued(filter(null, "later.test", null)).get(0).nextAttempt()).contains(NOW.plus(Duration.ofHours(1)));

        assertThat(operations.delete(filter(null, "later.test", null))).isEqualTo(1);
        assertThat(ids(operations.queued(filter(null, null, null)))).containsExactly("m2");
    }

    @Test
    void requeueStartsAgainAtTransportWithAFreshRetryCounter() throws Exception {
        Mail mail = mail("m1", "bob@later.test", "Mon, 30 Nov 2026 09:00:00 +0000");
        mail.setAttribute(new org.apache.mailet.Attribute(QueuedMail.ATTEMPTS, org.apache.mailet.AttributeValue.of(4)));
        outgoing.enQueue(mail, Duration.ofHours(1));

        assertThat(operations.requeue(filter("outgoing", null, null))).isEqualTo(1);
        QueuedMail requeued = operations.queued(filter("spool", null, null)).get(0);
        assertThat(requeued.mail().getState()).isEqualTo("transport");
        assertThat(requeued.summary(NOW)).containsEntry("attempts", 0);
        assertThat(outgoing.getSize()).isZero();
    }

    @Test
    void anUnknownQueueIsSaidSo() {
        assertThatThrownBy(() -> operations.queued(filter("nope", null, null)))
            .isInstanceOf(QueueOperations.UnknownQueueException.class).hasMessageContaining("nope");
    }

    private static MailFilter filter(String queue, String recipientDomain, String olderThan) {
        return new MailFilter(Optional.ofNullable(queue), Optional.empty(), Optional.ofNullable(recipientDomain),
            Optional.ofNullable(olderThan).map(MailFilter::duration), Set.of());
    }

    private static List<String> ids(List<QueuedMail> mails) {
        return mails.stream().map(mail -> mail.mail().getName()).toList();
    }

    private static Mail mail(String name, String recipient, String receivedDate) throws Exception {
        return FakeMail.builder().name(name).sender("alice@example.test").recipient(recipient)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder()
                .addHeader("Received", "from client by gateway with ESMTPA ID 1; " + receivedDate)
                .setSubject("hello").setText("body"))
            .build();
    }

    /** The held repository, whatever URL is asked for: the store's lookup is James's business, not under test. */
    private record OneRepository(MailRepository repository) implements MailRepositoryStore {
        @Override
        public MailRepository select(MailRepositoryUrl url) {
            return repository;
        }

        @Override
        public Optional<Protocol> defaultProtocol() {
            return Optional.empty();
        }

        @Override
        public Optional<MailRepository> get(MailRepositoryUrl url) {
            return Optional.of(repository);
        }

        @Override
        public Stream<MailRepository> getByPath(MailRepositoryPath path) {
            return Stream.of(repository);
        }

        @Override
        public Stream<MailRepositoryUrl> getUrls() {
            return Stream.empty();
        }
    }
}
