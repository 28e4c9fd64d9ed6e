package dev.gateway.queue.cassandra.guice;

import static dev.gateway.queue.cassandra.guice.DurationSettings.duration;

import java.io.FileNotFoundException;
import java.time.Clock;
import java.util.Optional;

import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.utils.PropertiesProvider;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;

import dev.gateway.queue.cassandra.CassandraMailQueueFactory;
import dev.gateway.queue.cassandra.MailBytes;
import dev.gateway.queue.cassandra.NodeIdentity;
import dev.gateway.queue.cassandra.QueueSettings;
import dev.gateway.queue.cassandra.QueueTables;

/**
 * James's mail queues (spool, outgoing, ...) kept in Cassandra, shared by every node on the same keyspace
 * (docs/queue-cassandra.md). Binds the {@link CassandraMailQueueFactory} and its {@link QueueSettings}, read from
 * {@code queue.properties} ({@code cassandra.queue.*}), where large mail keeps its bytes (the queue's own chunks
 * unless an assembly binds a {@link MailBytes} with {@link OptionalBinder}), and adds the queue's tables to the keyspace;
 * it needs the {@link CqlSession} of the storage's session module. The assembly points James's three mail queue
 * factory types at {@link CassandraMailQueueFactory} (app's {@code MailQueueFactoryBindings}).
 */
public final class CassandraQueueModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), CassandraModule.class).addBinding().toInstance(QueueTables.MODULE);
        // None: the queue's own chunks, unless the assembly keeps large mail's bytes elsewhere (the cluster profile:
        // in the mailboxes' blob store, storage-cassandra's QueueBytesInBlobStoreModule).
        OptionalBinder.newOptionalBinder(binder(), MailBytes.class);
    }

    @Provides
    @Singleton
    QueueSettings settings(PropertiesProvider properties) throws ConfigurationException, FileNotFoundException {
        Configuration configuration = properties.getConfiguration("queue");
        QueueSettings defaults = QueueSettings.DEFAULT;
        return new QueueSettings(
            configuration.getInt("cassandra.queue.shards", defaults.shards()),
            duration(configuration, "cassandra.queue.slice", defaults.sliceLength()),
            duration(configuration, "cassandra.queue.grace", defaults.grace()),
            duration(configuration, "cassandra.queue.lease", defaults.lease()),
            duration(configuration, "cassandra.queue.poll.min", defaults.pollMin()),
            duration(configuration, "cassandra.queue.poll.max", defaults.pollMax()),
            duration(configuration, "cassandra.queue.retry.delay", defaults.retryDelay()),
            duration(configuration, "cassandra.queue.retry.delay.max", defaults.retryDelayMax()),
            configuration.getInt("cassandra.queue.chunk.bytes", defaults.chunkSize()),
            configuration.getInt("cassandra.queue.inline.bytes", defaults.inlineMax()));
    }

    @Provides
    @Singleton
    CassandraMailQueueFactory factory(CqlSession session, QueueSettings settings, MailQueueItemDecoratorFactory decorators,
                                      JamesDirectoriesProvider directories, Optional<MailBytes> elsewhere) {
        // Kept under var/: a node restarted on the same home resumes its shards at once rather than after a lease.
        return new CassandraMailQueueFactory(session, settings, Clock.systemUTC(), decorators,
            NodeIdentity.ofServer(directories), elsewhere);
    }
}
