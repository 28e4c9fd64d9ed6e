package dev.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.QuitHook;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.AuthCmdHandler;
import org.junit.jupiter.api.Test;

import dev.gateway.smtphooks.AuthFailureLockout;

import io.prometheus.client.Collector;

class CountSmtpResultsTest {

    @Test
    void decisionsAreCountedByListenerHookResultAndCodeAndDeclinedIsNot() throws Exception {
        SmtpResultCounts counts = new SmtpResultCounts();
        CountSmtpResults counter = new CountSmtpResults(counts);
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("listener", "mx");
        counter.init(configuration);
        QuitHook hook = session -> HookResult.DECLINED;
        HookResult deny = HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550").build();

        assertThat(counter.onHookResult(null, deny, 1, hook)).isSameAs(deny);
        counter.onHookResult(null, deny, 1, hook);
        counter.onHookResult(null, HookResult.DECLINED, 1, hook);
        counter.onHookResult(null, HookResult.builder().hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.DENYSOFT))
            .smtpReturnCode("421").build(), 1, hook);

        List<Collector.MetricFamilySamples.Sample> samples = counts.collect().get(0).samples;
        assertThat(samples).extracting(sample -> sample.labelValues + "=" + sample.value).containsExactlyInAnyOrder(
            "[mx, " + hook.getClass().getSimpleName() + ", deny, 550]=2.0",
            "[mx, " + hook.getClass().getSimpleName() + ", denysoft+disconnect, 421]=1.0");
    }

    @Test
    void authRepliesAreCountedFromTheAuthCommandOnly() {
        SmtpResultCounts counts = new SmtpResultCounts();
        CountSmtpResults counter = new CountSmtpResults(counts);
        AuthCmdHandler auth = new AuthCmdHandler();
        counter.onResponse(null, new SMTPResponse("535", "5.7.8 Authentication credentials invalid"), 1, auth);
        counter.onResponse(null, new SMTPResponse("334", ""), 1, auth);
        counter.onResponse(null, new SMTPResponse("235", "Authentication successful"), 1, auth);
        counter.onResponse(null, new SMTPResponse("550", "no"), 1, new ProtocolHandler() { });

        assertThat(counts.collect().get(0).samples).extracting(sample -> sample.labelValues + "=" + sample.value)
            .containsExactlyInAnyOrder("[smtp, AUTH, deny, 535]=1.0", "[smtp, AUTH, ok, 235]=1.0");
    }

    @Test
    void aLockoutRefusedAtTheAuthCommandIsCountedUnderTheLockoutsName() {
        SmtpResultCounts counts = new SmtpResultCounts();
        CountSmtpResults counter = new CountSmtpResults(counts);
        // The lockout answers the AUTH command itself, before James's AuthCmdHandler, for an address locked out.
        AuthFailureLockout lockout = new AuthFailureLockout(null, null);
        counter.onResponse(null, new SMTPResponse("454", "4.7.0 Too many failed authentication attempts, try again later"), 1, lockout);
        counter.onResponse(null, new SMTPResponse("250", "not a refusal"), 1, lockout);
        counter.onResponse(null, new SMTPResponse("550", "another command's handler"), 1, new RcptCmdHandler(null));

        assertThat(counts.collect().get(0).samples).extracting(sample -> sample.labelValues + "=" + sample.value)
            .containsExactly("[smtp, AuthFailureLockout, denysoft, 454]=1.0");
    }
}
