package dev.gateway.routing;

import java.util.Optional;

import org.apache.james.core.MailAddress;

/**
 * What a rule does with a recipient it matches.
 *
 * @param kind which action
 * @param smarthost the smarthost's name, for {@link Kind#RELAY}
 * @param address the target address, for {@link Kind#REDIRECT} and {@link Kind#COPY}
 * @param reply the SMTP reply, for {@link Kind#REJECT}
 */
public record Action(Kind kind, Optional<String> smarthost, Optional<MailAddress> address, Optional<Reply> reply) {

    /** The actions a table may name; terminal ones end the evaluation for the recipient. */
    public enum Kind {
        /** Into the recipient's mailbox on this gateway (processor local-delivery). */
        DELIVER(true),
        /** Out through a named smarthost. */
        RELAY(true),
        /** The recipient is replaced by another address, which the table then routes afresh. */
        REDIRECT(true),
        /** A copy goes to another address (routed afresh); the recipient itself goes on to the next rules. */
        COPY(false),
        /** Into the quarantine repository, releasable through WebAdmin. */
        QUARANTINE(true),
        /** Refused in the SMTP dialogue with the rule's reply. */
        REJECT(true),
        /** No further rule: the recipient takes the default route (local mailbox or MX delivery). */
        STOP(true),
        /** Nothing but the rule's header changes. */
        NONE(false),
        /** Not written in tables: the outcome when no terminal rule matched, i.e. the default route. */
        DEFAULT(true);

        private final boolean terminal;

        Kind(boolean terminal) {
            this.terminal = terminal;
        }

        public boolean terminal() {
            return terminal;
        }

        public String written() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final Action DEFAULT = simple(Kind.DEFAULT);

    static Action simple(Kind kind) {
        return new Action(kind, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return kind.written()
            + smarthost.map(name -> " via " + name).orElse("")
            + address.map(target -> " to " + target.asString()).orElse("")
            + reply.map(text -> " with " + text).orElse("");
    }
}
