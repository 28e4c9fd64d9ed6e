package dev.gateway.operations;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.apache.james.protocols.api.ProtocolServer;
import org.apache.james.protocols.lib.netty.CertificateReloadable;
import org.apache.james.utils.GuiceProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes every mail listener (SMTP, submission, IMAP, POP3, ManageSieve) at the same time when the server stops.
 *
 * <p>James 3.8.1 disposes its listeners one after the other, and each waits out Netty's graceful shutdown: two
 * seconds in which no new task may arrive, even on an idle listener. With eight listeners a stop took 16 s, all of
 * it waiting. Run together the waits overlap, and a stop takes about two seconds; each listener still shuts down
 * gracefully, as before.
 *
 * <p>Called by the server's shutdown hook before James's own disposal, which then finds the listeners unbound: so the
 * listeners stop taking mail and commands before anything behind them (the spooler, the stores) is disposed. A probe,
 * for the main class to find it.
 */
public class ConcurrentListenerShutdown implements GuiceProbe {

    private static final Logger LOGGER = LoggerFactory.getLogger(ConcurrentListenerShutdown.class);
    /** Past Netty's own limit for a graceful shutdown (15 s): a listener that takes longer is left to James. */
    private static final long WAIT_SECONDS = 20;

    private final Set<CertificateReloadable.Factory> factories;

    @Inject
    public ConcurrentListenerShutdown(Set<CertificateReloadable.Factory> factories) {
        this.factories = factories;
    }

    public void closeAll() throws InterruptedException {
        List<ProtocolServer> listeners = factories.stream()
            .flatMap(CertificateReloadable.Factory::certificatesReloadable)
            .filter(ProtocolServer.class::isInstance)
            .map(ProtocolServer.class::cast)
            .filter(ProtocolServer::isBound)
            .toList();
        if (listeners.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        AtomicInteger number = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(listeners.size(), task -> {
            Thread thread = new Thread(task, "listener-shutdown-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Object>> unbound = threads.invokeAll(listeners.stream()
                .map(listener -> (Callable<Object>) () -> {
                    listener.unbind();
                    return null;
                })
                .toList(), WAIT_SECONDS, TimeUnit.SECONDS);
            long failed = unbound.stream().filter(ConcurrentListenerShutdown::failed).count();
            LOGGER.info("Closed {} listeners together in {} ms{}", listeners.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                failed == 0 ? "" : " (" + failed + " did not close cleanly and are left to James's own disposal)");
        } finally {
            threads.shutdownNow();
        }
    }

    private static boolean failed(Future<Object> future) {
        if (future.isCancelled()) {
            return true;
        }
        try {
            future.get();
            return false;
        } catch (Exception e) {
            LOGGER.warn("A listener did not close cleanly", e);
            return true;
        }
    }
}
