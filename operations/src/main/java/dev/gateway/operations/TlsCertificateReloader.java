package dev.gateway.operations;

import java.io.File;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.protocols.lib.netty.CertificateReloadable;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a renewed TLS certificate in force without a restart (docs/operations.md#tls): every
 * {@code GATEWAY_TLS_RELOAD_CHECK} (default 60s; {@code 0} turns it off) it looks at the certificate and key files the
 * listeners use ({@code GATEWAY_TLS_CERTIFICATE}, {@code GATEWAY_TLS_PRIVATE_KEY}, by default {@code var/tls/gateway.crt}
 * and {@code .key}), and when they changed and then stayed the same for one more look (so that a renewal writing the
 * certificate and the key one after the other is never read half done), it has every SMTP, IMAP, POP3 and ManageSieve
 * listener read them again, as James's {@code POST /servers?reload-certificate} does. New connections get the new
 * certificate; open ones keep theirs. A listener that cannot read the new files keeps the previous certificate and the
 * failure is logged at ERROR.
 */
@Singleton
public class TlsCertificateReloader implements Startable {

    private static final Logger LOGGER = LoggerFactory.getLogger(TlsCertificateReloader.class);

    /** The files to watch (as the listeners' configuration names them) and how often to look; read once at start. */
    public record Settings(List<String> files, Duration interval) {
        static final String DEFAULT_CERTIFICATE = "file://var/tls/gateway.crt";
        static final String DEFAULT_KEY = "file://var/tls/gateway.key";

        public static Settings fromEnvironment(Map<String, String> environment) {
            String interval = environment.getOrDefault("GATEWAY_TLS_RELOAD_CHECK", "60s").trim();
            try {
                return new Settings(List.of(
                        nonBlank(environment.get("GATEWAY_TLS_CERTIFICATE")).orElse(DEFAULT_CERTIFICATE),
                        nonBlank(environment.get("GATEWAY_TLS_PRIVATE_KEY")).orElse(DEFAULT_KEY)),
                    interval.equals("0") ? Duration.ZERO : DurationParser.parse(interval, ChronoUnit.SECONDS));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("GATEWAY_TLS_RELOAD_CHECK must be a duration such as 60s, or 0: " + interval, e);
            }
        }

        private static Optional<String> nonBlank(String value) {
            return Optional.ofNullable(value).map(String::trim).filter(text -> !text.isEmpty());
        }
    }

    /** What a look at one file saw: enough to tell a rewritten or replaced file (a symbolic link is followed). */
    record FileState(String file, long lastModified, long length, boolean exists) {
    }

    private final Set<CertificateReloadable.Factory> servers;
    private final FileSystem fileSystem;
    private final Settings settings;
    private ScheduledExecutorService timer;
    private List<FileState> inForce;
    private List<FileState> seenChanged;

    @Inject
    public TlsCertificateReloader(Set<CertificateReloadable.Factory> servers, FileSystem fileSystem, Settings settings) {
        this.servers = servers;
        this.fileSystem = fileSystem;
        this.settings = settings;
    }

    /** Called once the listeners have started: what they read then is what is in force. */
    public synchronized void start() {
        inForce = look();
        if (settings.interval().isZero()) {
            LOGGER.info("TLS certificate files not watched (GATEWAY_TLS_RELOAD_CHECK=0)");
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tls-certificate-reloader");
            thread.setDaemon(true);
            return thread;
        });
        long millis = settings.interval().toMillis();
        timer.scheduleWithFixedDelay(this::checkLogged, millis, millis, TimeUnit.MILLISECONDS);
        LOGGER.info("Watching the TLS certificate files {} every {}", settings.files(), settings.interval());
    }

    @PreDestroy
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void checkLogged() {
        try {
            check();
        } catch (RuntimeException e) {
            LOGGER.error("TLS certificate check failed", e);
        }
    }

    /** One look: reloads when the files differ from those in force and are as they were at the previous look. */
    synchronized boolean check() {
        List<FileState> now = look();
        if (now.equals(inForce)) {
            seenChanged = null;
            return false;
        }
        if (!now.equals(seenChanged) || now.stream().anyMatch(file -> !file.exists())) {
            seenChanged = now;
            return false;
        }
        seenChanged = null;
        inForce = now;
        return reload() > 0;
    }

    /** Has every listener read its certificate and key again; answers how many did. */
    synchronized int reload() {
        int reloaded = 0;
        List<Integer> failed = new ArrayList<>();
        for (CertificateReloadable.Factory factory : servers) {
            for (CertificateReloadable server : factory.certificatesReloadable().toList()) {
                try {
                    server.reloadSSLCertificate();
                    reloaded++;
                } catch (Exception e) {
                    failed.add(server.getPort());
                    LOGGER.error("TLS certificate of the listener on port {} not reloaded, it keeps the previous one", server.getPort(), e);
                }
            }
        }
        LOGGER.info("TLS certificate reloaded from {}: {} listeners{}", settings.files(), reloaded,
            failed.isEmpty() ? "" : ", failed on ports " + failed);
        return reloaded;
    }

    private List<FileState> look() {
        return settings.files().stream().map(this::look).toList();
    }

    private FileState look(String location) {
        try {
            File file = fileSystem.getFile(location);
            return new FileState(location, file.lastModified(), file.length(), file.isFile());
        } catch (FileNotFoundException e) {
            return new FileState(location, 0, 0, false);
        }
    }
}
