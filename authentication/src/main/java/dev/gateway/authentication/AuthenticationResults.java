package dev.gateway.authentication;

import java.util.List;
import java.util.Locale;

import dev.gateway.authentication.dkim.RawMessage;

/** The RFC 8601 Authentication-Results field: building ours, and recognising fields that claim to be ours. */
final class AuthenticationResults {
    static final String NAME = "Authentication-Results";

    private AuthenticationResults() {
    }

    /** Our field, one method clause a line, ending in CRLF. */
    static String field(String authservId, List<String> clauses) {
        StringBuilder field = new StringBuilder(NAME).append(": ").append(authservId);
        if (clauses.isEmpty()) {
            return field.append("; none\r\n").toString();
        }
        clauses.forEach(clause -> field.append(";\r\n\t").append(clause));
        return field.append("\r\n").toString();
    }

    /** The value of our field, unfolded, as kept in a mail attribute. */
    static String value(String field) {
        return field.substring(NAME.length() + 1).replace("\r\n\t", " ").strip();
    }

    /**
     * Whether a field is an Authentication-Results field under this authserv-id (section 5: such fields from
     * outside must be removed, since anyone can write them). The authserv-id is the field's first token, before
     * any CFWS, version or ';'.
     */
    static boolean claims(RawMessage.HeaderField field, String authservId) {
        if (!field.named(NAME)) {
            return false;
        }
        String value = field.value().replaceAll("\\([^)]*\\)", " ").strip();
        String id = value.split("[;\\s]", 2)[0];
        return id.toLowerCase(Locale.ROOT).equals(authservId.toLowerCase(Locale.ROOT));
    }
}
