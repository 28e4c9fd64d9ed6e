package dev.gateway.smtphooks;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a transaction that starts without a successful AUTH, whatever network the client is on: on submission
 * ports mail comes from users, and a trusted network (loopback included) is no proof of who is sending.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RequireAuthentication"/>
 * }</pre>
 *
 * Reply at MAIL FROM without AUTH: {@code 530 5.7.0 Authentication required} (RFC 4954).
 */
public class RequireAuthentication implements MailHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(RequireAuthentication.class);
    private static final HookResult AUTHENTICATION_REQUIRED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("530")
        .smtpDescription("5.7.0 Authentication required")
        .build();

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null) {
            return HookResult.DECLINED;
        }
        LOGGER.info("MAIL FROM {} refused from {}: not authenticated", sender.asString(), session.getRemoteAddress().getAddress().getHostAddress());
        return AUTHENTICATION_REQUIRED;
    }
}
