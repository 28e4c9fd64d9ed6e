package dev.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void aPortIsNeverHandedOutTwiceAcrossCalls() {
        // 2,000 ports drawn at random from 12,000 would repeat one with near certainty (about 160 repeats expected)
        // if each call forgot what the calls before it had handed out.
        List<Integer> ports = new ArrayList<>();
        for (int call = 0; call < 400; call++) {
            ports.addAll(call % 2 == 0 ? FreePorts.take(9) : List.of(FreePorts.one()));
        }

        assertThat(ports).hasSize(2000).doesNotHaveDuplicates();
        assertThat(ports).allSatisfy(port -> assertThat(port).isBetween(20_000, 32_000));
    }

    @Test
    void aPortWithAListeningSocketIsNotBindable() throws IOException {
        int port = FreePorts.one();
        assertThat(FreePorts.bindable(port)).isTrue();

        try (ServerSocket listening = new ServerSocket(port)) {
            assertThat(FreePorts.bindable(port)).isFalse();
        }
    }
}
