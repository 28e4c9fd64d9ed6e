package dev.gateway.app;

import com.google.inject.Module;
import com.google.inject.Scopes;

import dev.gateway.smtphooks.GreylistStore;
import dev.gateway.smtphooks.InMemoryGreylistStore;

/**
 * Where greylisting keeps its triplets (docs/front-door.md): in the heap with the memory backend (one node); the
 * Cassandra backend's is wired beside its store, in storage-cassandra ({@code CassandraGreylistStoreModule}).
 */
final class GreylistStoreModules {
    static final Module MEMORY = binder -> {
        binder.bind(InMemoryGreylistStore.class).in(Scopes.SINGLETON);
        binder.bind(GreylistStore.class).to(InMemoryGreylistStore.class);
    };

    private GreylistStoreModules() {
    }
}
