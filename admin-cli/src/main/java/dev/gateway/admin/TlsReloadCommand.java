package dev.gateway.admin;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/gateway tls reload [--port N]}: every listener (or the one on port N) reads its TLS certificate and key
 * files again now, through James's {@code POST /servers?reload-certificate}; for a renewal hook that should not wait
 * for the server's own look at the files (docs/operations.md#tls).
 */
final class TlsReloadCommand {

    private static final String USAGE = "usage: bin/gateway tls reload [--port N]";

    private final WebAdmin webAdmin;
    private final PrintStream out;

    TlsReloadCommand(WebAdmin webAdmin, PrintStream out) {
        this.webAdmin = webAdmin;
        this.out = out;
    }

    int run(List<String> arguments) {
        Arguments args = new Arguments(arguments, Set.of("port"), Set.of());
        if (!args.words().equals(List.of("reload"))) {
            throw new AdminException(USAGE);
        }
        Optional<String> port = args.value("port");
        if (port.isPresent() && !port.get().matches("[0-9]{1,5}")) {
            throw new AdminException(USAGE + " (the port is a number: " + port.get() + ")");
        }
        webAdmin.post("/servers?reload-certificate" + port.map(number -> "&port=" + number).orElse(""));
        out.println("gateway: TLS certificate reloaded " + port.map(number -> "on port " + number).orElse("on every listener"));
        return 0;
    }
}
