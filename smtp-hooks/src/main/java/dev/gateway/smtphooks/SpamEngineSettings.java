package dev.gateway.smtphooks;

import java.time.Duration;
import java.util.Locale;

import org.apache.commons.configuration2.Configuration;

/**
 * Which spam engine to ask and where, read the same way by {@link SpamFilter} (scans) and the learning listener
 * (learn requests), so that both always talk to the same engine:
 *
 * <pre>{@code
 * <engine>spamassassin</engine>                 <!-- spamassassin (default) or rspamd -->
 * <spamdHost>127.0.0.1</spamdHost>              <!-- default 127.0.0.1 -->
 * <spamdPort>783</spamdPort>                    <!-- default 783 -->
 * <rspamdHost>127.0.0.1</rspamdHost>            <!-- default 127.0.0.1 -->
 * <rspamdPort>11333</rspamdPort>                <!-- default 11333: rspamd's normal worker (scans) -->
 * <rspamdControllerPort>11334</rspamdControllerPort> <!-- default 11334: its controller (learning) -->
 * <rspamdPassword></rspamdPassword>             <!-- default none: rspamd trusts its secure_ip addresses -->
 * }</pre>
 */
public record SpamEngineSettings(Kind kind, String spamdHost, int spamdPort, String rspamdHost, int rspamdPort,
                                 int rspamdControllerPort, String rspamdPassword) {

    public enum Kind { SPAMASSASSIN, RSPAMD }

    public static SpamEngineSettings from(Configuration configuration) {
        String engine = configuration.getString("engine", "spamassassin").trim().toLowerCase(Locale.ROOT);
        Kind kind = switch (engine) {
            case "spamassassin", "" -> Kind.SPAMASSASSIN;
            case "rspamd" -> Kind.RSPAMD;
            default -> throw new IllegalArgumentException("spam engine must be spamassassin or rspamd, not '" + engine + "'");
        };
        return new SpamEngineSettings(kind,
            configuration.getString("spamdHost", "127.0.0.1").trim(),
            configuration.getInt("spamdPort", 783),
            configuration.getString("rspamdHost", "127.0.0.1").trim(),
            configuration.getInt("rspamdPort", 11333),
            configuration.getInt("rspamdControllerPort", 11334),
            configuration.getString("rspamdPassword", "").trim());
    }

    public SpamEngine create(Duration connectTimeout, Duration readTimeout) {
        return switch (kind) {
            case SPAMASSASSIN -> new SpamdClient(spamdHost, spamdPort, connectTimeout, readTimeout);
            case RSPAMD -> new RspamdClient(rspamdHost, rspamdPort, rspamdControllerPort, rspamdPassword, connectTimeout, readTimeout);
        };
    }

    @Override
    public String toString() {
        // Never the password.
        return kind == Kind.SPAMASSASSIN ? "spamd at " + spamdHost + ":" + spamdPort
            : "rspamd at " + rspamdHost + ":" + rspamdPort + " (controller " + rspamdControllerPort + ")";
    }
}
