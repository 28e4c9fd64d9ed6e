package dev.gateway.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
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
 */
public class RoutingTableStore {

    private static final Logger LOGGER = LoggerFactory.getLogger(RoutingTableStore.class);

    private final Path file;
    private final RoutingTableParser parser;
    private final AtomicReference<RoutingTable> current = new AtomicReference<>();
    private final List<Consumer<RoutingTable>> listeners = new CopyOnWriteArrayList<>();

    public RoutingTableStore(Path file, RoutingTableParser parser) throws RoutingTableException {
        this.file = file;
        this.parser = parser;
        current.set(read());
        LOGGER.info("Routing table {}: {} rules, {} smarthosts", file, current.get().rules().size(),
            current.get().smarthosts().size());
    }

    public RoutingTable current() {
        return current.get();
    }

    public Path file() {
        return file;
    }

    /** Called with the new table after every successful reload (e.g. to restart smarthost delivery). */
    public void onChange(Consumer<RoutingTable> listener) {
        listeners.add(listener);
    }

    /** Reads the file again; on success the new table is in force for every mail evaluated from now on. */
    public synchronized RoutingTable reload() throws RoutingTableException {
        RoutingTable table;
        try {
            table = read();
        } catch (RoutingTableException e) {
            LOGGER.warn("Routing table {} refused, the previous table stays in force: {}", file, e.getMessage());
            throw e;
        }
        install(table);
        return table;
    }

    /** Validates {@code yaml}, then writes it to the file (atomically) and puts it in force. */
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
        install(table);
        return table;
    }

    /** Parses without installing: the validator behind {@code bin/gateway routing check}. */
    public RoutingTable validate(String yaml) throws RoutingTableException {
        return parser.parse(yaml);
    }

    private void install(RoutingTable table) {
        current.set(table);
        LOGGER.info("Routing table {} reloaded: {} rules, {} smarthosts", file, table.rules().size(), table.smarthosts().size());
        listeners.forEach(listener -> listener.accept(table));
    }

    private RoutingTable read() throws RoutingTableException {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return RoutingTable.EMPTY;
        } catch (IOException e) {
            throw new RoutingTableException(0, "cannot read " + file + ": " + e.getMessage());
        }
        return parser.parse(yaml);
    }
}
