package dev.gateway.pop3hooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoginRequiresTlsTest {

    @ParameterizedTest
    @ValueSource(strings = {"USER", "PASS", "APOP", "AUTH", "user"})
    void everyLoginCommandWaitsForTls(String command) {
        assertThat(LoginRequiresTls.refusal(false, command)).isSameAs(LoginRequiresTls.TLS_FIRST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"USER", "PASS", "user"})
    void afterTlsUserAndPassGoToJames(String command) {
        assertThat(LoginRequiresTls.refusal(true, command)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"APOP", "AUTH", "auth"})
    void afterTlsTheMechanismsJamesLacksAreAnsweredNotLeftToFail(String command) {
        assertThat(LoginRequiresTls.refusal(true, command)).isSameAs(LoginRequiresTls.NOT_SUPPORTED);
    }
}
