package dev.gateway.operations;

import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;

/** The WebAdmin routes of operators' commands ({@code bin/gateway queue}); installed with WebAdmin. */
public final class OperationsModule extends AbstractModule {

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(QueueRoutes.class);
    }
}
