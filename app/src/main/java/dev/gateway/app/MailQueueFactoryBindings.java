package dev.gateway.app;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;

/**
 * James asks for the mail queue factory under three generic types (the spooler, RemoteDelivery, WebAdmin's queue
 * routes); this points all three at one factory, which the queue module binds as a singleton.
 */
final class MailQueueFactoryBindings<T extends MailQueueFactory<? extends ManageableMailQueue>> extends AbstractModule {

    private final Class<T> factory;

    MailQueueFactoryBindings(Class<T> factory) {
        this.factory = factory;
    }

    @Override
    protected void configure() {
        bind(new TypeLiteral<MailQueueFactory<? extends ManageableMailQueue>>() { }).to(factory);
        bind(new TypeLiteral<MailQueueFactory<?>>() { }).to(factory);
        bind(new TypeLiteral<MailQueueFactory<? extends MailQueue>>() { }).to(factory);
    }
}
