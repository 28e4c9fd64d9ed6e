package dev.gateway.smtphooks;

import java.util.Optional;

import com.google.common.net.InetAddresses;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses address forms that only ever serve to smuggle a relay through a mail server's own domain, or that a
 * gateway never routes, before any other rule looks at them:
 * <ul>
 *   <li>a {@code %} in the local part: the "percent hack" ({@code user%other.example@ours}) asks us to relay;</li>
 *   <li>a {@code !} in the local part: a UUCP bang path ({@code other.example!user@ours}), the same trick;</li>
 *   <li>an {@code @} in a quoted local part ({@code "user@other.example"@ours});</li>
 *   <li>an address-literal domain ({@code user@[192.0.2.1]}): our domains have names.</li>
 * </ul>
 * James's address parser already refuses source routes ({@code <@a,@b:user@c>}), trailing dots and IPv6 literals
 * with {@code 553 5.1.3}. Senders are held to the same rules, except the null sender.
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.RefuseHostileAddresses"/>
 * }</pre>
 *
 * Reply: {@code 553 5.1.3 <address>: address form not accepted here (...)}.
 */
public class RefuseHostileAddresses implements RcptHook, MailHook {

    private static final Logger LOGGER = LoggerFactory.getLogger(RefuseHostileAddresses.class);

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return check(session, "recipient", rcpt);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return sender.asOptional().map(address -> check(session, "sender", address)).orElse(HookResult.DECLINED);
    }

    private HookResult check(SMTPSession session, String role, MailAddress address) {
        return hostileForm(address)
            .map(reason -> {
                LOGGER.info("Refused {} {} from {}: {}", role, address.asString(),
                    session.getRemoteAddress().getAddress().getHostAddress(), reason);
                return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("553")
                    .smtpDescription("5.1.3 <" + address.asString() + ">: address form not accepted here (" + reason + ")")
                    .build();
            })
            .orElse(HookResult.DECLINED);
    }

    /** Why the address is refused, or empty when it is an ordinary address. */
    static Optional<String> hostileForm(MailAddress address) {
        String localPart = address.getLocalPart();
        if (localPart.contains("%")) {
            return Optional.of("percent hack");
        }
        if (localPart.contains("!")) {
            return Optional.of("bang path");
        }
        if (localPart.contains("@")) {
            return Optional.of("@ in local part");
        }
        // James's parser keeps "[192.0.2.1]" as the domain "192.0.2.1".
        String domain = address.getDomain().asString();
        if (domain.startsWith("[") || InetAddresses.isInetAddress(domain)) {
            return Optional.of("address literal");
        }
        return Optional.empty();
    }
}
