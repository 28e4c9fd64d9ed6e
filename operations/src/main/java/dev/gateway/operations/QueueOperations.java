package dev.gateway.operations;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code bin/gateway queue} does, on whatever queue and repository backend the profile binds.
 *
 * <p>Holding moves a mail out of its queue into the held repository, {@value #HELD_REPOSITORY}, noting the queue it
 * came from: nothing dequeues from a repository, so held mail is never delivered, and on the cluster profile the
 * repository is in Cassandra, so it stays held across restarts and for every node. The mail is stored before it is
 * removed from its queue: a crash in between leaves it in both (delivered once released), never in neither.
 * Releasing puts it back into that queue, due at once, and then removes it from the repository.</p>
 *
 * <p>A mail some node is delivering right now may still be delivered after it was held or deleted: the queues'
 * management views take no lease (docs/operations.md).</p>
 */
public class QueueOperations {

    public static final String HELD_REPOSITORY = "repository://var/mail/held/";
    /** The queue a held mail came from, and goes back to. */
    static final AttributeName HELD_FROM = AttributeName.of("gateway.held-from");
    /** Where requeued mail starts again: routing applies anew, spam verdicts and authentication are kept. */
    static final String REQUEUE_STATE = "transport";

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueOperations.class);

    private final MailQueueFactory<? extends ManageableMailQueue> queues;
    private final MailRepositoryStore repositories;
    private final Clock clock;

    @Inject
    public QueueOperations(MailQueueFactory<? extends ManageableMailQueue> queues, MailRepositoryStore repositories) {
        this(queues, repositories, Clock.systemUTC());
    }

    QueueOperations(MailQueueFactory<? extends ManageableMailQueue> queues, MailRepositoryStore repositories, Clock clock) {
        this.queues = queues;
        this.repositories = repositories;
        this.clock = clock;
    }

    public Instant now() {
        return clock.instant();
    }

    /** Every queue's name and size, with the held mail counted per queue it came from. */
    public List<String> queueNames() {
        return queues.listCreatedMailQueues().stream().map(MailQueueName::asString).sorted().toList();
    }

    public long size(String queue) throws MessagingException {
        return queue(queue).getSize();
    }

    /** Queued mail matching the filter, oldest first. */
    public List<QueuedMail> queued(MailFilter filter) throws MessagingException {
        Instant now = now();
        List<QueuedMail> found = new ArrayList<>();
        if (filter.queue().isPresent() && !queueNames().contains(filter.queue().get())) {
            throw new UnknownQueueException(filter.queue().get());
        }
        for (String name : queueNames()) {
            if (!filter.matchesQueue(name)) {
                continue;
            }
            ManageableMailQueue.MailQueueIterator views = queue(name).browse();
            try {
                while (views.hasNext()) {
                    ManageableMailQueue.MailQueueItemView view = views.next();
                    QueuedMail mail = new QueuedMail(name, false, view.getMail(),
                        view.getNextDelivery().map(date -> date.toInstant()));
                    if (filter.matches(mail.mail(), mail.arrived(), now)) {
                        found.add(mail);
                    }
                }
            } finally {
                views.close();
            }
        }
        found.sort(Comparator.comparing(QueuedMail::arrived));
        return found;
    }

    /** Held mail matching the filter (its queue is the one it was held from), oldest first. */
    public List<QueuedMail> held(MailFilter filter) throws MessagingException {
        Instant now = now();
        MailRepository held = heldRepository();
        List<QueuedMail> found = new ArrayList<>();
        for (Iterator<MailKey> keys = held.list(); keys.hasNext(); ) {
            Mail mail = held.retrieve(keys.next());
            if (mail == null) {
                continue;
            }
            QueuedMail entry = new QueuedMail(heldFrom(mail), true, mail, Optional.empty());
            if (filter.matchesQueue(entry.queue()) && filter.matches(mail, entry.arrived(), now)) {
                found.add(entry);
            }
        }
        found.sort(Comparator.comparing(QueuedMail::arrived));
        return found;
    }

    /** One mail by its id, queued or held. */
    public Optional<QueuedMail> find(String id) throws MessagingException {
        MailFilter byId = new MailFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), java.util.Set.of(id));
        List<QueuedMail> queued = queued(byId);
        if (!queued.isEmpty()) {
            return Optional.of(queued.get(0));
        }
        return held(byId).stream().findFirst();
    }

    public long delete(MailFilter filter) throws MessagingException {
        long deleted = 0;
        for (QueuedMail mail : queued(filter)) {
            deleted += queue(mail.queue()).remove(ManageableMailQueue.Type.Name, mail.mail().getName());
        }
        LOGGER.info("Deleted {} queued mails matching {}", deleted, filter);
        return deleted;
    }

    public long deleteHeld(MailFilter filter) throws MessagingException {
        MailRepository held = heldRepository();
        long deleted = 0;
        for (QueuedMail mail : held(filter)) {
            held.remove(new MailKey(mail.mail().getName()));
            deleted++;
        }
        LOGGER.info("Deleted {} held mails matching {}", deleted, filter);
        return deleted;
    }

    /**
     * Makes delayed mail due now. The whole of a queue is flushed by the queue itself, keeping the order; a subset is
     * taken out and put back without delay.
     */
    public long flush(MailFilter filter) throws MessagingException {
        long flushed = 0;
        if (filter.wholeQueue()) {
            for (String name : queueNames()) {
                if (filter.matchesQueue(name)) {
                    flushed += queue(name).flush();
                }
            }
        } else {
            Instant now = now();
            for (QueuedMail mail : queued(filter)) {
                if (mail.nextAttempt().map(next -> next.isAfter(now)).orElse(false)) {
                    ManageableMailQueue queue = queue(mail.queue());
                    if (queue.remove(ManageableMailQueue.Type.Name, mail.mail().getName()) > 0) {
                        queue.enQueue(mail.mail());
                        flushed++;
                    }
                }
            }
        }
        LOGGER.info("Flushed {} mails matching {}", flushed, filter);
        return flushed;
    }

    public long hold(MailFilter filter) throws MessagingException {
        MailRepository held = heldRepository();
        long count = 0;
        for (QueuedMail mail : queued(filter)) {
            Mail toHold = mail.mail();
            toHold.setAttribute(new Attribute(HELD_FROM, AttributeValue.of(mail.queue())));
            held.store(toHold);
            if (queue(mail.queue()).remove(ManageableMailQueue.Type.Name, toHold.getName()) > 0) {
                count++;
            } else {
                // Delivered or deleted while we held it: keeping the copy would deliver it twice on release.
                held.remove(new MailKey(toHold.getName()));
            }
        }
        LOGGER.info("Held {} mails matching {}", count, filter);
        return count;
    }

    public long release(MailFilter filter) throws MessagingException {
        MailRepository held = heldRepository();
        long count = 0;
        for (QueuedMail mail : held(filter)) {
            Mail toRelease = mail.mail();
            toRelease.removeAttribute(HELD_FROM);
            queue(mail.queue()).enQueue(toRelease);
            held.remove(new MailKey(toRelease.getName()));
            count++;
        }
        LOGGER.info("Released {} held mails matching {}", count, filter);
        return count;
    }

    /**
     * Takes matching mail out of its queue and gives it to the spool again at the transport processor, with a fresh
     * retry counter: for mail whose route changed (a new routing table, a smarthost renamed).
     */
    public long requeue(MailFilter filter) throws MessagingException {
        MailQueue spool = queue(MailQueueFactory.SPOOL.asString());
        long count = 0;
        for (QueuedMail mail : queued(filter)) {
            Mail toRequeue = mail.mail();
            if (queue(mail.queue()).remove(ManageableMailQueue.Type.Name, toRequeue.getName()) > 0) {
                toRequeue.setState(REQUEUE_STATE);
                toRequeue.removeAttribute(QueuedMail.ATTEMPTS);
                spool.enQueue(toRequeue);
                count++;
            }
        }
        LOGGER.info("Requeued {} mails matching {}", count, filter);
        return count;
    }

    private ManageableMailQueue queue(String name) throws MessagingException {
        return queues.getQueue(MailQueueName.of(name))
            .orElseThrow(() -> new UnknownQueueException(name));
    }

    private MailRepository heldRepository() throws MessagingException {
        try {
            return repositories.select(MailRepositoryUrl.from(HELD_REPOSITORY));
        } catch (MailRepositoryStore.MailRepositoryStoreException e) {
            throw new MessagingException("the held mail repository " + HELD_REPOSITORY + " is not available", e);
        }
    }

    private static String heldFrom(Mail mail) {
        return mail.getAttribute(HELD_FROM).map(attribute -> String.valueOf(attribute.getValue().value()))
            .orElse(MailQueueFactory.SPOOL.asString());
    }

    /** An operator named a queue this server does not have. */
    public static final class UnknownQueueException extends MessagingException {
        UnknownQueueException(String name) {
            super("no mail queue named '" + name + "'");
        }
    }
}
