package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.james.protocols.api.ProtocolServer;
import org.apache.james.protocols.lib.netty.CertificateReloadable;
import org.junit.jupiter.api.Test;

class ConcurrentListenerShutdownTest {

    /**
     * A listener whose unbind returns only once every listener has begun to unbind: closed one after the other, the
     * first would wait for the others until its limit and report that it never saw them.
     */
    private static final class Listener implements ProtocolServer, CertificateReloadable {
        private final CountDownLatch allUnbinding;
        private volatile boolean bound;
        private volatile boolean sawTheOthers;

        Listener(CountDownLatch allUnbinding, boolean bound) {
            this.allUnbinding = allUnbinding;
            this.bound = bound;
        }

        @Override
        public void unbind() {
            allUnbinding.countDown();
            try {
                sawTheOthers = allUnbinding.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            bound = false;
        }

        @Override
        public boolean isBound() {
            return bound;
        }

        @Override
        public void bind() {
            bound = true;
        }

        @Override
        public int getTimeout() {
            return 0;
        }

        @Override
        public int getBacklog() {
            return 0;
        }

        @Override
        public List<InetSocketAddress> getListenAddresses() {
            return List.of();
        }

        @Override
        public void reloadSSLCertificate() {
        }

        @Override
        public int getPort() {
            return 0;
        }
    }

    @Test
    void everyBoundListenerIsClosedAtTheSameTimeAsTheOthers() throws Exception {
        CountDownLatch allUnbinding = new CountDownLatch(3);
        Listener smtp = new Listener(allUnbinding, true);
        Listener submission = new Listener(allUnbinding, true);
        Listener imap = new Listener(allUnbinding, true);
        CertificateReloadable.Factory smtpFactory = () -> Stream.of(smtp, submission);
        CertificateReloadable.Factory imapFactory = () -> Stream.of(imap);

        new ConcurrentListenerShutdown(Set.of(smtpFactory, imapFactory)).closeAll();

        assertThat(List.of(smtp, submission, imap)).allSatisfy(listener -> {
            assertThat(listener.sawTheOthers).as("unbinding while the others were").isTrue();
            assertThat(listener.isBound()).isFalse();
        });
    }

    @Test
    void aListenerThatIsNotBoundIsLeftAlone() throws Exception {
        // Counted down only by a listener that is unbound: the one bound listener must not wait for the other.
        CountDownLatch oneUnbinding = new CountDownLatch(1);
        Listener bound = new Listener(oneUnbinding, true);
        Listener disabled = new Listener(new CountDownLatch(1), false);

        new ConcurrentListenerShutdown(Set.of(() -> Stream.of(bound, disabled))).closeAll();

        assertThat(bound.sawTheOthers).isTrue();
        assertThat(bound.isBound()).isFalse();
        assertThat(disabled.sawTheOthers).as("unbind called on a listener that was not bound").isFalse();
    }
}
