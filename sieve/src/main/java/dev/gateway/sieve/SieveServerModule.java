package dev.gateway.sieve;

import org.apache.james.managesieve.api.commands.CoreCommands;
import org.apache.james.managesieveserver.netty.ManageSieveServerFactory;
import org.apache.james.modules.protocols.ManageSieveServerModule;

import com.google.inject.Scopes;

import com.google.inject.Module;
import com.google.inject.util.Modules;

/**
 * The ManageSieve listener (managesieveserver.xml): James's module, with its listeners built by {@link ManageSieveServers}
 * (passwords only after STARTTLS, commands read after STARTTLS).
 */
public final class SieveServerModule {

    public static final Module MODULE = Modules.override(new ManageSieveServerModule())
        .with(binder -> {
            binder.bind(ManageSieveServers.class).in(Scopes.SINGLETON);
            binder.bind(ManageSieveServerFactory.class).to(ManageSieveServers.class);
            binder.bind(CoreCommands.class).to(ManageSieveRequiresTls.class);
        });

    private SieveServerModule() {
    }
}
