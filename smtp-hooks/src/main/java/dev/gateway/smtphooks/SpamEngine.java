package dev.gateway.smtphooks;

import java.util.List;

/**
 * A spam scanning engine as {@link SpamFilter} and the learning listener see it: scan a message once, teach it a
 * message is spam or ham, and say whether it answers. Two implementations: {@link SpamdClient} (SpamAssassin's spamd)
 * and {@link RspamdClient} (rspamd over HTTP). Implementations hold no per-message state and are thread-safe.
 */
public interface SpamEngine {

    /** What the SMTP dialogue knows of a message besides its content; engines that judge the envelope use it. */
    record Envelope(String clientAddress, String helo, String sender, List<String> recipients, String queueId) {
    }

    /**
     * One scan's outcome.
     *
     * @param score the engine's score (rspamd's scale is like SpamAssassin's: its default reject is 15, as ours)
     * @param symbols the names of the rules that hit
     * @param forcedReject the engine refused the message whatever its score (rspamd's pre-result, e.g. GTUBE): it
     *     reaches every reject threshold that is not off, as SpamAssassin's 1000 for GTUBE does
     */
    record Result(double score, List<String> symbols, boolean forcedReject) {
    }

    /** What a learn request changed. */
    enum Learned { LEARNED, ALREADY_KNOWN, NOT_LEARNED }

    Result scan(byte[] message, Envelope envelope) throws SpamEngineException;

    /** Teaches the engine that {@code message} is spam ({@code spam} true) or ham, for {@code user} where it keeps users apart. */
    Learned learn(byte[] message, boolean spam, String user) throws SpamEngineException;

    /** True when the engine answers its health request. */
    boolean ping();

    /** For logs, the banner and the health check: "spamd at 127.0.0.1:783". */
    String describe();
}
