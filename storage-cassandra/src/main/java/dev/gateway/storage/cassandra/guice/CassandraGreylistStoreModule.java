package dev.gateway.storage.cassandra.guice;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

import dev.gateway.smtphooks.GreylistStore;
import dev.gateway.storage.cassandra.CassandraGreylistStore;

/**
 * Where greylisting keeps its triplets with the Cassandra backend (docs/front-door.md): in Cassandra, so that every
 * node agrees on a sender's retry. Binds {@link GreylistStore} to {@link CassandraGreylistStore} and adds its table
 * to the keyspace; reads no configuration of its own (greylisting's settings are the hook's, in smtpserver.xml).
 */
public final class CassandraGreylistStoreModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), CassandraModule.class).addBinding().toInstance(CassandraGreylistStore.MODULE);
        bind(CassandraGreylistStore.class).in(Scopes.SINGLETON);
        bind(GreylistStore.class).to(CassandraGreylistStore.class);
    }
}
