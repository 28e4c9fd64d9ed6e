package dev.gateway.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.gateway.testkit.GatewayProcess;

/**
 * One delivery attempt by swaks to a gateway's MX port, from a loopback address of its own, as a sending server makes
 * one; and a sending server's retries (greylisting tests).
 */
record Swaks(int exit, String output) {

    boolean accepted() {
        return exit == 0;
    }

    static Swaks send(GatewayProcess gateway, String source, String from, String to) throws Exception {
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1",
            "--port", String.valueOf(gateway.port(GatewayProcess.Port.SMTP)), "--local-interface", source,
            "--ehlo", "mail.sender.test", "--from", from, "--to", to,
            "--header", "Subject: greylisting", "--timeout", "30")
            .redirectErrorStream(true).start();
        String output = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!swaks.waitFor(60, TimeUnit.SECONDS)) {
            swaks.destroyForcibly();
            throw new IllegalStateException("swaks did not end:\n" + output);
        }
        return new Swaks(swaks.exitValue(), output);
    }

    /** Tries once a second until accepted (at most 40 tries); every try, the accepted one last. */
    static List<Swaks> retryUntilAccepted(GatewayProcess gateway, String source, String from, String to) {
        List<Swaks> tries = new ArrayList<>();
        try {
            do {
                if (!tries.isEmpty()) {
                    Thread.sleep(1000);
                }
                tries.add(send(gateway, source, from, to));
            } while (!tries.get(tries.size() - 1).accepted() && tries.size() < 40);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return tries;
    }
}
