package dev.gateway.operations;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import io.prometheus.client.Collector;

/**
 * What operators use: the WebAdmin routes of {@code bin/gateway queue}, {@code /metrics}, the "Mail queues" and "DNS"
 * entries of {@code /healthcheck}, TLS certificates reloaded when their files change (docs/operations.md), and the
 * listeners closed together when the server stops.
 * Installed with WebAdmin.
 */
public final class OperationsModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder<Routes> routes = Multibinder.newSetBinder(binder(), Routes.class);
        routes.addBinding().to(QueueRoutes.class);
        routes.addBinding().to(PrometheusRoutes.class);
        Multibinder<Collector> collectors = Multibinder.newSetBinder(binder(), Collector.class);
        collectors.addBinding().to(QueueGauges.class);
        collectors.addBinding().to(SmtpResultCounts.class);
        Multibinder<HealthCheck> healthChecks = Multibinder.newSetBinder(binder(), HealthCheck.class);
        healthChecks.addBinding().to(QueueHealthCheck.class);
        healthChecks.addBinding().to(DnsHealthCheck.class);
        Multibinder.newSetBinder(binder(), GuiceProbe.class).addBinding().to(ConcurrentListenerShutdown.class);
    }

    /** Read once at start; a bad value stops the start with the variable's name. */
    @Provides
    @Singleton
    TlsCertificateReloader.Settings tlsReloadSettings() {
        return TlsCertificateReloader.Settings.fromEnvironment(System.getenv());
    }

    /** After the listeners have read their certificates: what they read is what the reloader compares with. */
    @ProvidesIntoSet
    InitializationOperation watchTlsCertificates(TlsCertificateReloader reloader) {
        return InitilizationOperationBuilder.forClass(TlsCertificateReloader.class).init(reloader::start);
    }

    /** Read once at start; a bad value stops the start with the variable's name. */
    @Provides
    @Singleton
    QueueHealthCheck.Limits queueHealthLimits() {
        return QueueHealthCheck.Limits.fromEnvironment(System.getenv());
    }
}
