package dev.gateway.app;

import org.apache.james.modules.BlobMemoryModule;
import org.apache.james.modules.data.MemoryDataModule;
import org.apache.james.modules.data.MemoryDelegationStoreModule;
import org.apache.james.modules.data.MemoryUsersRepositoryModule;
import org.apache.james.modules.eventstore.MemoryEventStoreModule;
import org.apache.james.modules.mailbox.MemoryMailboxModule;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;

import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.util.Modules;

/** James's in-memory backends: mailboxes, users, domains and mail repositories (the queue is chosen apart). */
final class MemoryBackendModule {

    /*
     * James's memory mailbox module guesses a thread id by searching the recipient's whole mailbox for every
     * delivered message, which makes delivery cost grow with the mailbox (quadratic over a mailbox's life).
     * A gateway serves IMAP and POP3, neither of which uses thread ids, so each message starts its own thread.
     */
    private static final Module NAIVE_THREAD_IDS = binder -> {
        binder.bind(NaiveThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);
        binder.bind(ThreadIdGuessingAlgorithm.class).to(NaiveThreadIdGuessingAlgorithm.class);
    };

    private static final Module REPOSITORY_PROTOCOLS = binder -> binder.bind(MailRepositoryStoreConfiguration.Item.class)
        .toProvider(() -> MailRepositoryProtocols.item("memory", MemoryMailRepository.class));

    static final Module MODULE = Modules.combine(
        Modules.override(new MemoryMailboxModule()).with(NAIVE_THREAD_IDS),
        Modules.override(new MemoryDataModule()).with(REPOSITORY_PROTOCOLS),
        new MemoryUsersRepositoryModule(),
        new MemoryDelegationStoreModule(),
        new MemoryEventStoreModule(),
        new BlobMemoryModule());

    private MemoryBackendModule() {
    }
}
