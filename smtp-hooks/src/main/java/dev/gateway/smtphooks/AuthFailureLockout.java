package dev.gateway.smtphooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates SMTP AUTH against the users repository and locks out guessers: after too many failed attempts from
 * one client address, or against one account, within a window, every AUTH from that address or for that account is
 * answered {@code 454 4.7.0} until the lockout ends, even with the right password, so that guessing stops paying.
 *
 * <p>It must come before James's CoreCmdHandlerLoader in the handler chain: it then decides every AUTH (James's
 * own users-repository hook is never reached). An address already locked out is refused at the AUTH command
 * itself, before it sends credentials. IPv6 clients are counted per /64, the block one subscriber usually holds.
 * The counters live behind {@link WindowedCounters}, shared by every listener of the server.
 *
 * <p>Locking an account lets a stranger keep its owner out for the lockout period; the per-account limit is
 * therefore set higher than people mistype, and a successful login clears the failures counted against that account
 * and that address (not an existing lockout).
 *
 * <pre>{@code
 * <handler class="dev.gateway.smtphooks.AuthFailureLockout">
 *     <maxFailuresPerAddress>10</maxFailuresPerAddress>   <!-- default 10 -->
 *     <maxFailuresPerAccount>10</maxFailuresPerAccount>   <!-- default 10 -->
 *     <window>10m</window>                                <!-- default 10 minutes -->
 *     <lockout>15m</lockout>                              <!-- default 15 minutes -->
 * </handler>
 * }</pre>
 *
 * Replies: {@code 235 2.7.0} on success, {@code 535 5.7.8} for wrong credentials, {@code 454 4.7.0} while locked out.
 */
public class AuthFailureLockout implements AuthHook, CommandHandler<SMTPSession> {

    private static final Logger LOGGER = LoggerFactory.getLogger(AuthFailureLockout.class);
    private static final Collection<String> COMMANDS = List.of("AUTH");
    private static final String LOCKED_OUT = "4.7.0 Too many failed authentication attempts, try again later";
    private static final Response LOCKED_OUT_RESPONSE = new SMTPResponse("454", LOCKED_OUT).immutable();

    /** Limits read once from the handler element. */
    record Settings(int maxFailuresPerAddress, int maxFailuresPerAccount, Duration window, Duration lockout) {
        static Settings from(Configuration configuration) {
            Settings settings = new Settings(
                configuration.getInt("maxFailuresPerAddress", 10),
                configuration.getInt("maxFailuresPerAccount", 10),
                DurationParser.parse(configuration.getString("window", "10m"), ChronoUnit.SECONDS),
                DurationParser.parse(configuration.getString("lockout", "15m"), ChronoUnit.SECONDS));
            if (settings.maxFailuresPerAddress < 1 || settings.maxFailuresPerAccount < 1) {
                throw new IllegalArgumentException("AuthFailureLockout limits must be at least 1: " + settings);
            }
            return settings;
        }
    }

    private final UsersRepository users;
    private final WindowedCounters counters;
    private Settings settings = new Settings(10, 10, Duration.ofMinutes(10), Duration.ofMinutes(15));

    @Inject
    public AuthFailureLockout(UsersRepository users, WindowedCounters counters) {
        this.users = users;
        this.counters = counters;
    }

    @Override
    public void init(Configuration configuration) {
        settings = Settings.from(configuration);
    }

    /** Refuses AUTH up front for an address that is locked out, before it sends a password. */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (isLocked(addressKey(session))) {
            LOGGER.info("AUTH refused from {}: address locked out", clientAddress(session));
            return LOCKED_OUT_RESPONSE;
        }
        return null;
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        String addressKey = addressKey(session);
        String accountKey = "account:" + username.asString().toLowerCase(Locale.ROOT);
        if (isLocked(addressKey) || isLocked(accountKey)) {
            LOGGER.warn("AUTH for {} from {} refused: locked out", username.asString(), clientAddress(session));
            return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("454").smtpDescription(LOCKED_OUT).build();
        }
        if (passwordMatches(username, password)) {
            counters.reset(failuresKey(addressKey));
            counters.reset(failuresKey(accountKey));
            session.setUsername(username);
            session.setRelayingAllowed(true);
            return HookResult.builder().hookReturnCode(HookReturnCode.ok()).smtpReturnCode("235").smtpDescription("2.7.0 Authentication successful").build();
        }
        recordFailure(addressKey, settings.maxFailuresPerAddress());
        recordFailure(accountKey, settings.maxFailuresPerAccount());
        LOGGER.warn("AUTH failed for {} from {}", username.asString(), clientAddress(session));
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("535").smtpDescription("5.7.8 Authentication credentials invalid").build();
    }

    /** OAUTHBEARER/XOAUTH2 tokens are James's business (no password to guess): left to its own hook. */
    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return HookResult.DECLINED;
    }

    private boolean passwordMatches(Username username, String password) {
        try {
            return users.test(username, password);
        } catch (UsersRepositoryException e) {
            LOGGER.warn("Users repository failed to check {}", username.asString(), e);
            return false;
        }
    }

    private void recordFailure(String key, int maxFailures) {
        long failures = counters.add(failuresKey(key), 1, settings.window());
        if (failures >= maxFailures && !isLocked(key)) {
            counters.add(lockKey(key), 1, settings.lockout());
            counters.reset(failuresKey(key));
            LOGGER.warn("AUTH locked out for {} after {} failures, for {}", key, failures, settings.lockout());
        }
    }

    private boolean isLocked(String key) {
        return counters.get(lockKey(key)) > 0;
    }

    private static String failuresKey(String key) {
        return "auth-failures:" + key;
    }

    private static String lockKey(String key) {
        return "auth-lockout:" + key;
    }

    private static String clientAddress(SMTPSession session) {
        return session.getRemoteAddress().getAddress().getHostAddress();
    }

    /** IPv4 per address, IPv6 per /64. */
    static String addressKey(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 8);
            StringBuilder key = new StringBuilder("address:");
            for (int i = 0; i < prefix.length; i += 2) {
                key.append(String.format("%02x%02x:", prefix[i], prefix[i + 1]));
            }
            return key.append(":/64").toString();
        }
        return "address:" + address.getHostAddress();
    }

    private static String addressKey(SMTPSession session) {
        return addressKey(session.getRemoteAddress().getAddress());
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
