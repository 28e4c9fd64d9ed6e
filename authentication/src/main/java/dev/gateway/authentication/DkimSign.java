package dev.gateway.authentication;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.JamesMessageHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.mailet.Mail;

import dev.gateway.authentication.dkim.DkimKey;
import dev.gateway.authentication.dkim.DkimKeys;
import dev.gateway.authentication.dkim.DkimSigner;
import dev.gateway.authentication.dkim.RawMessage;

/**
 * At the end of DATA, DKIM-signs mail from authenticated users and trusted networks whose From domain is one of
 * ours and has a key in the keys folder ({@code KEYS/DOMAIN/SELECTOR.pem}, made by {@code bin/gateway dkim keygen}):
 * relaxed/relaxed, the key's algorithm (rsa-sha256 or ed25519-sha256), the fields that matter oversigned.
 *
 * <pre>{@code
 * <handler class="dev.gateway.authentication.DkimSign">
 *     <keys>keys</keys>     <!-- a relative folder is in the gateway's home (working.directory) -->
 * </handler>
 * }</pre>
 *
 * Mail from outside is left alone. A key that cannot be read keeps the mail out with 451 rather than sending it
 * unsigned, and says why in the log.
 */
public class DkimSign implements JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimSign.class);

    private final Path home;
    private final DomainList domains;
    private final DkimSigner signer = new DkimSigner(Clock.systemUTC());
    private DkimKeys keys;

    @Inject
    public DkimSign(org.apache.james.server.core.configuration.Configuration server, DomainList domains) {
        this(Path.of(server.directories().getRootDirectory()), domains);
    }

    DkimSign(Path home, DomainList domains) {
        this.home = home;
        this.domains = domains;
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        String location = configuration.getString("keys", "keys").strip();
        if (location.isEmpty()) {
            throw new ConfigurationException("DkimSign: <keys> is empty; give the keys folder");
        }
        keys = new DkimKeys(home.resolve(location));
        LOGGER.info("DKIM signing keys under {}", keys.folder());
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (session.getUsername() == null && !session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        try {
            RawMessage message = RawMessage.parse(MessageBytes.read(mail));
            Optional<String> domain = FromDomains.of(message).stream().findFirst();
            if (domain.isEmpty() || !domains.containsDomain(Domain.of(domain.get()))) {
                return HookResult.DECLINED;
            }
            Optional<DkimKey> key = keys.signingKey(domain.get());
            if (key.isEmpty()) {
                return HookResult.DECLINED;
            }
            String signature = signer.sign(message, key.get());
            MessageBytes.replace(mail, message.rewrite(List.of(signature), header -> false));
            LOGGER.info("Mail {} signed d={} s={} a={}", mail.getName(), key.get().domain(), key.get().selector(),
                key.get().algorithm().tag());
            return HookResult.DECLINED;
        } catch (IOException | GeneralSecurityException | MessagingException | DomainListException e) {
            LOGGER.error("Could not DKIM-sign mail {}", mail.getName(), e);
            return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
                .smtpDescription("4.7.0 Temporary failure signing the message").build();
        }
    }
}
