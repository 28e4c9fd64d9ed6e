package dev.gateway.bench;

import java.util.Locale;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.SearchThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;

import com.google.inject.Scopes;

import dev.gateway.app.GatewayServer;
import dev.gateway.app.GatewaySettings;

/**
 * The Gateway server with a chosen thread-id algorithm, for bench/thread-id.sh: {@code naive} is what Gateway
 * ships, {@code search} is what James's memory module binds (a mailbox search on every delivery). Not a product
 * setting: only the benchmark needs to choose.
 */
public final class ThreadIdVariantServer {

    public static void main(String[] args) throws Exception {
        String variant = args.length == 0 ? "naive" : args[0].toLowerCase(Locale.ROOT);
        GuiceJamesServer server = GatewayServer.create(GatewaySettings.fromSystemProperties());
        switch (variant) {
            case "naive" -> server = server.overrideWith(binder -> {
                binder.bind(NaiveThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);
                binder.bind(ThreadIdGuessingAlgorithm.class).to(NaiveThreadIdGuessingAlgorithm.class);
            });
            case "search" -> server = server.overrideWith(binder -> {
                binder.bind(SearchThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);
                binder.bind(ThreadIdGuessingAlgorithm.class).to(SearchThreadIdGuessingAlgorithm.class);
            });
            default -> throw new IllegalArgumentException("variant must be naive or search, not " + variant);
        }
        JamesServerMain.main(server);
    }

    private ThreadIdVariantServer() {
    }
}
