package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.junit.jupiter.api.Test;

class AuthPolicyTest {

    private static final AuthPolicy.Settings SUBMISSION = new AuthPolicy.Settings(true, Set.of("PLAIN", "LOGIN"));

    @Test
    void refusesEveryAuthWhenNoMechanismIsAllowed() {
        AuthPolicy.Settings mx = new AuthPolicy.Settings(false, Set.of());

        assertThat(AuthPolicy.refusal(mx, true, "PLAIN dGVzdA==")).isSameAs(AuthPolicy.AUTH_DISABLED);
        assertThat(AuthPolicy.refusal(mx, false, null)).isSameAs(AuthPolicy.AUTH_DISABLED);
    }

    @Test
    void refusesAuthBeforeTlsWhenTlsIsRequired() {
        assertThat(AuthPolicy.refusal(SUBMISSION, false, "PLAIN")).isSameAs(AuthPolicy.TLS_REQUIRED);
        assertThat(AuthPolicy.refusal(SUBMISSION, false, "CRAM-MD5")).isSameAs(AuthPolicy.TLS_REQUIRED);
    }

    @Test
    void letsAllowedMechanismsThroughOverTlsWhateverTheirCase() {
        assertThat(AuthPolicy.refusal(SUBMISSION, true, "PLAIN dGVzdA==")).isNull();
        assertThat(AuthPolicy.refusal(SUBMISSION, true, "login")).isNull();
    }

    @Test
    void refusesMechanismsOutsideTheList() {
        assertThat(AuthPolicy.refusal(SUBMISSION, true, "CRAM-MD5")).isSameAs(AuthPolicy.MECHANISM_REFUSED);
        assertThat(AuthPolicy.refusal(SUBMISSION, true, "XOAUTH2 abc")).isSameAs(AuthPolicy.MECHANISM_REFUSED);
    }

    @Test
    void leavesABareAuthToJamesSyntaxCheck() {
        assertThat(AuthPolicy.refusal(SUBMISSION, true, null)).isNull();
        assertThat(AuthPolicy.refusal(SUBMISSION, true, "  ")).isNull();
    }

    @Test
    void readsItsSettings() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("requireTls", "false");
        configuration.addProperty("mechanisms", "plain, login");

        assertThat(AuthPolicy.Settings.from(configuration)).isEqualTo(new AuthPolicy.Settings(false, Set.of("PLAIN", "LOGIN")));
    }

    @Test
    void emptyMechanismsMeansAuthIsOff() {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("mechanisms", "");

        assertThat(AuthPolicy.Settings.from(configuration).mechanisms()).isEmpty();
    }

    @Test
    void defaultsAreTlsAndPlainAndLogin() {
        assertThat(AuthPolicy.Settings.from(new BaseHierarchicalConfiguration())).isEqualTo(SUBMISSION);
    }
}
