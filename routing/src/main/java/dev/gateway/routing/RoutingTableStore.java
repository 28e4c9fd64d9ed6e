package dev.gateway.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table in force, read from one file and swapped whole on reload: readers always see either the old
 * table or the new one, never a mix. A table that fails validation is refused and the old one stays in force.
 *
 * <p>One instance per server (bound in the app's Guice module); the SMTP hook, the dispatching mailet, the smarthost
 * mailet and the WebAdmin routes share it. A missing file is an empty table (every recipient takes the default
 * route). At start-up an invalid file stops the server with the line and the problem.
 *
 * <p>On one node the file is the table, and the version counts the tables this process put in force. In a cluster
 * ({@link #shared}) the table is kept in {@link RoutingTableVersions}: the file seeds it when nothing is stored yet,
 * a reload or an upload through any node is stored there as the next version after validation, and every node
 * puts a newer version in force when it polls ({@link #refresh()}).
 */
public class RoutingTableStore {

    private static final Logger LOGGER = LoggerFactory.getLogger(RoutingTableStore.class);

    /** A table in force, its version and the YAML it came from (what {@code GET /routing/yaml} exports). */
    public record InForce(RoutingTable table, long version, String yaml) {
    }

    private final Path file;
    private final RoutingTableParser parser;
    private final Optional<RoutingTableVersions> versions;
    private final AtomicReference<InForce> current = new AtomicReference<>();
    private final List<Consumer<RoutingTable>> listeners = new CopyOnWriteArrayList<>();
    /** A stored version this node could not parse: reported once, not at every poll. */
    private volatile long refusedVersion;

    public RoutingTableStore(Path file, RoutingTableParser parser) throws RoutingTableException {
        this.file = file;
        this.parser = parser;
        this.versions = Optional.empty();
        String yaml = read();
        current.set(new InForce(parser.parse(yaml), 1, yaml));
        LOGGER.info("Routing table {}: {} rules, {} smarthosts", file, current().rules().size(), current().smarthosts().size());
    }

    private RoutingTableStore(Path file, RoutingTableParser parser, RoutingTableVersions versions) throws RoutingTableException {
        this.file = file;
        this.parser = parser;
        this.versions = Optional.of(versions);
        String yaml = read();
        // The file must be valid even when a stored version wins: a node never seeds a table it would refuse.
        parser.parse(yaml);
        RoutingTableVersions.Stored stored = versions.seed(yaml);
        current.set(new InForce(parser.parse(stored.yaml()), stored.version(), stored.yaml()));
        LOGGER.info("Routing table version {} (shared, seeded from {} when none was stored): {} rules, {} smarthosts",
            stored.version(), file, current().rules().size(), current().smarthosts().size());
    }

    /** The table of a cluster node, kept in {@code versions} and seeded from {@code file}. */
    public static RoutingTableStore shared(Path file, RoutingTableParser parser, RoutingTableVersions versions)
            throws RoutingTableException {
        return new RoutingTableStore(file, parser, versions);
    }

    public RoutingTable current() {
        return current.get().table();
    }

    /** The table in force with its version. */
    public InForce inForce() {
        return current.get();
    }

    public Path file() {
        return file;
    }

    public boolean isShared() {
        return versions.isPresent();
    }

    /** Called with the new table after every successful reload (e.g. to restart smarthost delivery). */
    public void onChange(Consumer<RoutingTable> listener) {
        listeners.add(listener);
    }

    /**
     * Reads the file again; on success the new table is in force for every mail evaluated from now on (in a
     * cluster: stored as the next version, so every node follows it).
     */
    public synchronized RoutingTable reload() throws RoutingTableException {
        String yaml = read();
        RoutingTable table;
        try {
            table = parser.parse(yaml);
        } catch (RoutingTableException e) {
            LOGGER.warn("Routing table {} refused, the previous table stays in force: {}", file, e.getMessage());
            throw e;
        }
        install(table, store(yaml), yaml);
        return table;
    }

    /**
     * Validates {@code yaml}, then writes it to the file (atomically) and puts it in force; in a cluster it is
     * stored as the next version too, which the other nodes put in force when they next poll.
     */
    public synchronized RoutingTable replace(String yaml) throws RoutingTableException, IOException {
        RoutingTable table;
        try {
            table = parser.parse(yaml);
        } catch (RoutingTableException e) {
            LOGGER.warn("Routing table upload refused, the previous table stays in force: {}", e.getMessage());
            throw e;
        }
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".routing-", ".yaml");
        Files.writeString(temporary, yaml, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        install(table, store(yaml), yaml);
        return table;
    }

    /**
     * In a cluster, puts the newest stored version in force when it is newer than this node's; does nothing on one
     * node. A stored version this node cannot parse (a newer Gateway wrote it) is logged and skipped: the table in
     * force stays.
     */
    public synchronized void refresh() {
        versions.flatMap(RoutingTableVersions::latest)
            .filter(stored -> stored.version() > current.get().version() && stored.version() != refusedVersion)
            .ifPresent(stored -> {
                try {
                    install(parser.parse(stored.yaml()), stored.version(), stored.yaml());
                } catch (RoutingTableException e) {
                    refusedVersion = stored.version();
                    LOGGER.error("Stored routing table version {} refused on this node, version {} stays in force: {}",
                        stored.version(), current.get().version(), e.getMessage());
                }
            });
    }

    /** Parses without installing: the validator behind {@code bin/gateway routing check}. */
    public RoutingTable validate(String yaml) throws RoutingTableException {
        return parser.parse(yaml);
    }

    private long store(String yaml) {
        return versions.map(shared -> shared.storeNext(yaml).version()).orElse(current.get().version() + 1);
    }

    private void install(RoutingTable table, long version, String yaml) {
        current.set(new InForce(table, version, yaml));
        LOGGER.info("Routing table version {} in force: {} rules, {} smarthosts", version, table.rules().size(),
            table.smarthosts().size());
        listeners.forEach(listener -> listener.accept(table));
    }

    private String read() throws RoutingTableException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new RoutingTableException(0, "cannot read " + file + ": " + e.getMessage());
        }
    }
}
