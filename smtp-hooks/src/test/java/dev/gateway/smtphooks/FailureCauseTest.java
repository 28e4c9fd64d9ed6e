package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

class FailureCauseTest {

    @Test
    void aCauseChainIsOneLineOutermostFirst() {
        Throwable failure = new CompletionException(new IllegalStateException("No node was\navailable"));

        assertThat(FailureCause.describe(failure))
            .isEqualTo("CompletionException: java.lang.IllegalStateException: No node was available"
                + " <- IllegalStateException: No node was available")
            .doesNotContain("\n");
    }
}
