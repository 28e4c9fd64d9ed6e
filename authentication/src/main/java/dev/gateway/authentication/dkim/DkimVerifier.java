package dev.gateway.authentication.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.gateway.authentication.dns.TxtResolver;
import dev.gateway.authentication.dns.TxtResolver.TxtAnswer;

/**
 * RFC 6376 verification of every DKIM-Signature field of a message, each with its own result. Beyond the RFC's
 * minimum: rsa-sha1 signatures that verify are reported as "policy" (RFC 8301), and so are signatures whose l= leaves
 * part of the body unsigned (section 8.2: anyone may append text to such a message).
 */
public final class DkimVerifier {
    private static final Pattern B_TAG = Pattern.compile("(^|;)([ \t\r\n]*b[ \t\r\n]*=)([^;]*)");

    private final TxtResolver dns;
    private final Clock clock;

    public DkimVerifier(TxtResolver dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    public List<DkimResult> verify(RawMessage message) {
        List<DkimResult> results = new ArrayList<>();
        for (RawMessage.HeaderField signature : message.headers("DKIM-Signature")) {
            results.add(verify(message, signature));
        }
        return results;
    }

    private DkimResult verify(RawMessage message, RawMessage.HeaderField field) {
        String domain = "";
        String selector = "";
        String algorithmTag = "";
        String prefix = "";
        try {
            TagList tags = TagList.parse(field.raw().substring(field.raw().indexOf(':') + 1));
            domain = tags.get("d").orElse("");
            selector = tags.get("s").orElse("");
            algorithmTag = tags.get("a").orElse("");
            prefix = TagList.compact(tags.get("b").orElse(""));
            prefix = prefix.substring(0, Math.min(8, prefix.length()));
            return check(message, field, tags, domain, selector, prefix);
        } catch (DkimException e) {
            return new DkimResult(e.temporary() ? "temperror" : "permerror", domain, selector, algorithmTag, prefix,
                Optional.of(e.getMessage()));
        } catch (RuntimeException e) {
            // Hostile input must cost the sender its signature, never the session: report what broke.
            return new DkimResult("permerror", domain, selector, algorithmTag, prefix,
                Optional.of("unreadable signature: " + e.getClass().getSimpleName()));
        }
    }

    private DkimResult check(RawMessage message, RawMessage.HeaderField field, TagList tags, String domain,
                             String selector, String prefix) throws DkimException {
        if (!tags.required("v").equals("1")) {
            throw DkimException.permanent("unknown version v=" + tags.required("v"));
        }
        DkimAlgorithm algorithm = DkimAlgorithm.parse(tags.required("a"));
        byte[] signature = base64(tags.required("b"), "b");
        byte[] bodyHash = base64(tags.required("bh"), "bh");
        if (domain.isEmpty() || selector.isEmpty()) {
            throw DkimException.permanent("missing tag d= or s=");
        }
        List<String> signedNames = Arrays.asList(TagList.compact(tags.required("h")).split(":"));
        if (signedNames.stream().noneMatch("from"::equalsIgnoreCase)) {
            throw DkimException.permanent("h= does not sign From");
        }
        String identity = tags.get("i").orElse("@" + domain);
        String identityDomain = RawMessage.lower(identity.substring(identity.indexOf('@') + 1));
        String lowerDomain = RawMessage.lower(domain);
        if (!identityDomain.equals(lowerDomain) && !identityDomain.endsWith("." + lowerDomain)) {
            throw DkimException.permanent("i= is not in d=");
        }
        String[] canonicalization = tags.get("c").orElse("simple/simple").split("/", -1);
        Canonicalization headerForm = Canonicalization.parse(canonicalization[0]);
        Canonicalization bodyForm = canonicalization.length > 1 ? Canonicalization.parse(canonicalization[1])
            : Canonicalization.SIMPLE;
        Optional<Long> expires = numeric(tags, "x");
        long now = clock.instant().getEpochSecond();
        if (expires.isPresent() && expires.get() < now) {
            return result("fail", domain, selector, algorithm, prefix, "signature expired");
        }

        byte[] canonicalBody = message.body(bodyForm);
        Optional<Long> length = numeric(tags, "l");
        byte[] hashedBody = canonicalBody;
        if (length.isPresent()) {
            if (length.get() < 0) {
                throw DkimException.permanent("l= is negative");
            }
            if (length.get() > canonicalBody.length) {
                return result("fail", domain, selector, algorithm, prefix, "body shorter than l=");
            }
            hashedBody = Arrays.copyOf(canonicalBody, length.get().intValue());
        }

        PublicKey key = publicKey(domain, selector, algorithm, identityDomain, lowerDomain);
        try {
            if (!MessageDigest.isEqual(algorithm.digest(hashedBody), bodyHash)) {
                return result("fail", domain, selector, algorithm, prefix, "body hash did not verify");
            }
            byte[] headerData = headerData(message, field, signedNames, headerForm);
            if (!algorithm.verify(key, headerData, signature)) {
                return result("fail", domain, selector, algorithm, prefix, "signature did not verify");
            }
        } catch (GeneralSecurityException e) {
            return result("fail", domain, selector, algorithm, prefix, "signature did not verify: " + e.getMessage());
        }
        if (algorithm == DkimAlgorithm.RSA_SHA1) {
            return result("policy", domain, selector, algorithm, prefix, "rsa-sha1 is not accepted, RFC 8301");
        }
        if (hashedBody.length < canonicalBody.length) {
            return result("policy", domain, selector, algorithm, prefix,
                (canonicalBody.length - hashedBody.length) + " body bytes after l= are unsigned");
        }
        return result("pass", domain, selector, algorithm, prefix, null);
    }

    private PublicKey publicKey(String domain, String selector, DkimAlgorithm algorithm, String identityDomain,
                                String lowerDomain) throws DkimException {
        String name = selector + "._domainkey." + domain;
        TxtAnswer answer = dns.txt(name);
        if (answer.temporaryError().isPresent()) {
            throw DkimException.temporary("key lookup failed: " + answer.temporaryError().get());
        }
        if (answer.permanentError().isPresent()) {
            throw DkimException.permanent(answer.permanentError().get());
        }
        if (answer.records().isEmpty()) {
            throw DkimException.permanent("no key at " + name);
        }
        if (answer.records().size() > 1) {
            throw DkimException.permanent("more than one key at " + name);
        }
        TagList key = TagList.parse(answer.records().get(0));
        if (key.get("v").isPresent() && !key.get("v").get().equals("DKIM1")) {
            throw DkimException.permanent("key record is not DKIM1");
        }
        if (!RawMessage.lower(key.get("k").orElse("rsa")).equals(algorithm.keyType())) {
            throw DkimException.permanent("key type k=" + key.get("k").orElse("rsa") + " does not fit a=" + algorithm.tag());
        }
        Optional<String> hashes = key.get("h");
        if (hashes.isPresent() && Arrays.stream(TagList.compact(hashes.get()).split(":"))
            .noneMatch(algorithm.hashName()::equalsIgnoreCase)) {
            throw DkimException.permanent("key does not allow " + algorithm.hashName());
        }
        if (key.get("t").map(flags -> Arrays.asList(TagList.compact(flags).split(":")).contains("s")).orElse(false)
            && !identityDomain.equals(lowerDomain)) {
            throw DkimException.permanent("key with t=s, i= in a subdomain of d=");
        }
        String p = TagList.compact(key.required("p"));
        if (p.isEmpty()) {
            throw DkimException.permanent("key revoked");
        }
        try {
            return algorithm.publicKey(Base64.getDecoder().decode(p));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw DkimException.permanent("key p= unreadable");
        }
    }

    /** Section 3.7: the signed fields, each instance taken from the bottom up, then the signature without b=. */
    static byte[] headerData(RawMessage message, RawMessage.HeaderField signature, List<String> names,
                                     Canonicalization form) {
        StringBuilder data = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : names) {
            String key = RawMessage.lower(name);
            List<RawMessage.HeaderField> instances = message.headers(name);
            int taken = used.merge(key, 1, Integer::sum);
            int index = instances.size() - taken;
            if (index >= 0) {
                data.append(form.header(instances.get(index).raw()));
            }
        }
        String unsigned = withoutSignatureValue(signature.raw());
        String canonical = form.header(unsigned);
        data.append(canonical, 0, canonical.length() - 2);
        return data.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static String withoutSignatureValue(String field) {
        int colon = field.indexOf(':');
        String value = field.substring(colon + 1);
        String ending = value.endsWith("\r\n") ? "\r\n" : "";
        value = value.substring(0, value.length() - ending.length());
        Matcher matcher = B_TAG.matcher(value);
        if (!matcher.find()) {
            return field;
        }
        String stripped = value.substring(0, matcher.end(2)) + value.substring(matcher.end(3));
        return field.substring(0, colon + 1) + stripped + ending;
    }

    private static DkimResult result(String result, String domain, String selector, DkimAlgorithm algorithm,
                                     String prefix, String reason) {
        return new DkimResult(result, domain, selector, algorithm.tag(), prefix, Optional.ofNullable(reason));
    }

    private static byte[] base64(String value, String tag) throws DkimException {
        try {
            return Base64.getDecoder().decode(TagList.compact(value));
        } catch (IllegalArgumentException e) {
            throw DkimException.permanent(tag + "= is not base64");
        }
    }

    private static Optional<Long> numeric(TagList tags, String name) throws DkimException {
        Optional<String> value = tags.get(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value.get().strip()));
        } catch (NumberFormatException e) {
            throw DkimException.permanent(name + "= is not a number");
        }
    }
}
