package dev.gateway.app;

import javax.inject.Singleton;

import org.apache.james.queue.api.MailQueueItemDecoratorFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

import dev.gateway.queue.memory.HeapMailQueueFactory;

/** James's mail queues (spool, outgoing, ...) in this JVM's heap, one copy of each message: the memory profile's. */
final class HeapQueueModule extends AbstractModule {

    @Override
    protected void configure() {
        install(new MailQueueFactoryBindings<>(HeapMailQueueFactory.class));
    }

    @Provides
    @Singleton
    HeapMailQueueFactory factory(MailQueueItemDecoratorFactory decorators) {
        return new HeapMailQueueFactory(decorators);
    }
}
