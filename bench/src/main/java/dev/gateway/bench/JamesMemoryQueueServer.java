package dev.gateway.bench;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.modules.queue.memory.MemoryMailQueueModule;

import dev.gateway.app.GatewayServer;
import dev.gateway.app.GatewaySettings;

/**
 * The Gateway server on James's own memory mail queue ({@code MemoryMailQueueFactory}, three copies of every message
 * per enqueue) instead of Gateway's heap queue (one copy): the "before" of that change, for bench/compare.sh's
 * {@code gateway-james-queue} variant. Not a product setting: only the benchmark needs to choose. Run it on the
 * memory profile, whose queue it replaces.
 */
public final class JamesMemoryQueueServer {

    public static void main(String[] args) throws Exception {
        GuiceJamesServer server = GatewayServer.create(GatewaySettings.fromSystemProperties())
            .overrideWith(new MemoryMailQueueModule());
        JamesServerMain.main(server);
    }

    private JamesMemoryQueueServer() {
    }
}
