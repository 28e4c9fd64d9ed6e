package dev.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.gateway.testkit.GatewayProcess;

/**
 * A spam thresholds file with a bad entry stops the gateway at start-up, with an error that names the file and the
 * entry, rather than running with thresholds nobody asked for.
 */
class BadSpamThresholdsIT {

    @Test
    void aBadEntryStopsTheStartWithAnErrorNamingIt() throws Exception {
        Path thresholds = Files.createTempFile("gateway-bad-spam-thresholds-", ".xml");
        try {
            Files.writeString(thresholds, """
                <thresholds>
                    <domain name="strict.test" quarantine="6"/>
                    <user address="ceo@strict.test" reject="lots"/>
                </thresholds>
                """);

            assertThatThrownBy(() -> GatewayProcess.start("postmaster@" + GatewayProcess.DOMAIN, "bad thresholds test password",
                    Map.of("GATEWAY_SPAM_THRESHOLDS_FILE", thresholds.toString())).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(thresholds + ": <user address=\"ceo@strict.test\" reject=\"lots\">: "
                    + "reject 'lots' is neither a number nor off");
        } finally {
            Files.deleteIfExists(thresholds);
        }
    }
}
