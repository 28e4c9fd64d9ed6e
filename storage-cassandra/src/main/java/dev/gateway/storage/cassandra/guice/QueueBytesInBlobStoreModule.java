package dev.gateway.storage.cassandra.guice;

import org.apache.james.blob.api.BlobReferenceSource;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;

import dev.gateway.queue.cassandra.MailBytes;
import dev.gateway.storage.cassandra.QueuedMailBlobReferenceSource;
import dev.gateway.storage.cassandra.SharedBlobStoreBytes;

/**
 * One copy of each message on the cluster profile (mailboxes and queue in Cassandra): the Cassandra mail queue keeps
 * the bytes of mail too large for its rows in the mailboxes' de-duplicating blob store ({@link SharedBlobStoreBytes})
 * instead of its own chunks, so that local delivery reuses the body the queue wrote instead of writing the message a
 * second time, and the blob collection keeps what queued mail refers to ({@link QueuedMailBlobReferenceSource}).
 * Needs {@code CassandraQueueModule} and {@link CassandraMailboxStoreModule}; the assembly installs it only with both.
 */
public final class QueueBytesInBlobStoreModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(SharedBlobStoreBytes.class).in(Scopes.SINGLETON);
        OptionalBinder.newOptionalBinder(binder(), MailBytes.class).setBinding().to(SharedBlobStoreBytes.class);
        Multibinder.newSetBinder(binder(), BlobReferenceSource.class).addBinding()
            .to(QueuedMailBlobReferenceSource.class);
    }
}
