package dev.gateway.queue.cassandra;

import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** A test's stand-in for James's spooler: hands each dequeued mail to the test, then finishes it with SUCCESS. */
final class SucceedingConsumer {

    /** What the test does with a mail before it is finished; a failure leaves it unfinished. */
    @FunctionalInterface
    interface OnMail {
        void accept(Mail mail) throws Exception;
    }

    private SucceedingConsumer() {
    }

    /** Consumes {@code queue} until the answer is disposed. */
    static Disposable consume(MailQueue queue, OnMail onMail) {
        return Flux.from(queue.deQueue())
            .subscribeOn(Schedulers.boundedElastic())
            .subscribe(item -> {
                try {
                    onMail.accept(item.getMail());
                    item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
    }
}
