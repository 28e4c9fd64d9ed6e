package dev.gateway.routing;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

/**
 * The routing table as written in YAML, before validation. Components carry their YAML key in kebab case
 * ({@code recipientDomain} is {@code recipient-domain}); docs/routing.md documents each with its default.
 */
record TableSpec(Integer version, Map<String, SmarthostSpec> smarthosts, List<RuleSpec> rules) {

    @JsonDeserialize(using = SmarthostSpec.Reader.class)
    record SmarthostSpec(int line, SmarthostBody body) {
        static final class Reader extends LocatedReader<SmarthostBody, SmarthostSpec> {
            Reader() {
                super(SmarthostSpec.class, SmarthostBody.class, SmarthostSpec::new);
            }
        }
    }

    record SmarthostBody(String host, Integer port, String tls,
                         @JsonProperty("verify-certificate") Boolean verifyCertificate,
                         AuthSpec auth, RetrySpec retry) {
    }

    record AuthSpec(String username,
                    @JsonProperty("password-env") String passwordEnv,
                    @JsonProperty("password-file") String passwordFile) {
    }

    record RetrySpec(List<String> delays, @JsonProperty("max-retries") Integer maxRetries) {
    }

    @JsonDeserialize(using = RuleSpec.Reader.class)
    record RuleSpec(int line, RuleBody body) {
        static final class Reader extends LocatedReader<RuleBody, RuleSpec> {
            Reader() {
                super(RuleSpec.class, RuleBody.class, RuleSpec::new);
            }
        }
    }

    record RuleBody(String name, WhenSpec when, String action, String smarthost, String address, String reply,
                    @JsonProperty("add-headers") Map<String, String> addHeaders,
                    @JsonProperty("remove-headers") List<String> removeHeaders,
                    @JsonProperty("continue") Boolean continues) {
    }

    record WhenSpec(List<String> recipient,
                    @JsonProperty("recipient-domain") List<String> recipientDomain,
                    @JsonProperty("recipient-regex") String recipientRegex,
                    List<String> sender,
                    @JsonProperty("sender-domain") List<String> senderDomain,
                    @JsonProperty("sender-regex") String senderRegex,
                    Map<String, String> header,
                    Boolean authenticated,
                    @JsonProperty("size-over") String sizeOver,
                    @JsonProperty("size-under") String sizeUnder,
                    @JsonProperty("spam-score-at-least") Double spamScoreAtLeast,
                    @JsonProperty("spam-score-below") Double spamScoreBelow,
                    @JsonProperty("source-network") List<String> sourceNetwork,
                    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> spf,
                    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> dkim,
                    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> dmarc) {
    }

    /** Reads a YAML mapping into its body type and keeps the line it starts on, for validation errors. */
    abstract static class LocatedReader<B, T> extends StdDeserializer<T> {
        private final Class<B> bodyType;
        private final BiFunction<Integer, B, T> located;

        LocatedReader(Class<T> type, Class<B> bodyType, BiFunction<Integer, B, T> located) {
            super(type);
            this.bodyType = bodyType;
            this.located = located;
        }

        @Override
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            int line = parser.currentTokenLocation().getLineNr();
            return located.apply(line, context.readValue(parser, bodyType));
        }

        /**
         * An empty entry ({@code -} or {@code name:} with nothing after it) reaches here instead of
         * {@link #deserialize}: it is kept with its line and a null body, so that validation refuses it at that line
         * (Jackson would otherwise put a bare null in the list or map).
         */
        @Override
        public T getNullValue(DeserializationContext context) {
            JsonParser parser = context.getParser();
            int line = parser == null || parser.currentTokenLocation() == null ? 0 : parser.currentTokenLocation().getLineNr();
            return located.apply(line, null);
        }
    }
}
