package dev.gateway.smtphooks;

import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the front-door checks (DNS lists, HELO, early talkers, greylisting) refuse: one log line with the check, the
 * client and the reason, and one count per check ({@code front_door_refused_<check>}, in James's metrics), so that an
 * operator can see what each check stops and tune it. Refusals are logged at WARN on the logger of this class.
 */
public class FrontDoorRefusals {
    private static final Logger LOGGER = LoggerFactory.getLogger(FrontDoorRefusals.class);

    private final MetricFactory metrics;

    @Inject
    public FrontDoorRefusals(MetricFactory metrics) {
        this.metrics = metrics;
    }

    /** Logs and counts a refusal, and returns it as the hook's answer (a 4xx code makes it temporary). */
    public HookResult refuse(SMTPSession session, String check, String code, String description, String reason) {
        LOGGER.warn("front door: {} refused [{}]: {} ({} {})", check, clientAddress(session), reason, code, description);
        metrics.generate("front_door_refused_" + check).increment();
        return HookResult.builder()
            .hookReturnCode(code.startsWith("4") ? HookReturnCode.denySoft() : HookReturnCode.deny())
            .smtpReturnCode(code).smtpDescription(description).build();
    }

    /** Counts something a check saw without refusing (a list that did not answer in time, a pass). */
    public void count(String what) {
        metrics.generate("front_door_" + what).increment();
    }

    static String clientAddress(SMTPSession session) {
        return session.getRemoteAddress().getAddress().getHostAddress();
    }
}
