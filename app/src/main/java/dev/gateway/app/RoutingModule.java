package dev.gateway.app;

import java.nio.file.Path;

import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

import io.prometheus.client.Collector;

import dev.gateway.mailets.RoutingRuleHits;
import dev.gateway.routing.RoutingTableException;
import dev.gateway.routing.RoutingRoutes;
import dev.gateway.routing.RoutingTableParser;
import dev.gateway.routing.RoutingTableStore;

/**
 * The routing table (docs/routing.md): one store shared by the SMTP hook RoutingRejects, the mailets RouteByTable
 * and RelayThroughSmarthost, and the WebAdmin routes under {@code /routing}.
 */
final class RoutingModule extends AbstractModule {

    private final Path table;

    RoutingModule(Path table) {
        this.table = table;
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(RoutingRoutes.class);
        Multibinder.newSetBinder(binder(), Collector.class).addBinding().to(RoutingRuleHits.class);
    }

    /** An invalid table at start-up stops the server with the line and the problem. */
    @Provides
    @Singleton
    RoutingTableStore routingTableStore() throws RoutingTableException {
        return new RoutingTableStore(table, RoutingTableParser.forServer(table));
    }
}
