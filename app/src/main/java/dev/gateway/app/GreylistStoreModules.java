package dev.gateway.app;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

import dev.gateway.smtphooks.GreylistStore;
import dev.gateway.smtphooks.InMemoryGreylistStore;
import dev.gateway.storage.cassandra.CassandraGreylistStore;

/**
 * Where greylisting keeps its triplets (docs/front-door.md): in the heap with the memory backend (one node), in
 * Cassandra with the Cassandra backend, so that every node agrees on a sender's retry.
 */
final class GreylistStoreModules {
    static final Module MEMORY = binder -> {
        binder.bind(InMemoryGreylistStore.class).in(Scopes.SINGLETON);
        binder.bind(GreylistStore.class).to(InMemoryGreylistStore.class);
    };

    static final Module CASSANDRA = binder -> {
        Multibinder.newSetBinder(binder, CassandraModule.class).addBinding().toInstance(CassandraGreylistStore.MODULE);
        binder.bind(CassandraGreylistStore.class).in(Scopes.SINGLETON);
        binder.bind(GreylistStore.class).to(CassandraGreylistStore.class);
    };

    private GreylistStoreModules() {
    }
}
