package dev.gateway.authentication.dmarc;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

import dev.gateway.authentication.dns.TxtResolver;
import dev.gateway.authentication.dns.TxtResolver.TxtAnswer;

/**
 * DMARC (RFC 7489 section 6.6) for one message: the policy of the From domain (or of its organizational domain),
 * whether a passing DKIM signature or a passing SPF identity is aligned with the From domain, and the disposition
 * the policy asks for, sampled by {@code pct}. The organizational domain comes from {@link PublicSuffixes}: the
 * list Guava ships, or one the operator keeps up to date in a file.
 */
public final class DmarcEvaluator {
    private final TxtResolver dns;
    private final IntSupplier percentile;
    private final PublicSuffixes suffixes;

    /** {@code percentile} draws 0 to 99 for the {@code pct} sampling. */
    public DmarcEvaluator(TxtResolver dns, IntSupplier percentile, PublicSuffixes suffixes) {
        this.dns = dns;
        this.percentile = percentile;
        this.suffixes = suffixes;
    }

    /** With the Public Suffix List Guava ships. */
    public DmarcEvaluator(TxtResolver dns, IntSupplier percentile) {
        this(dns, percentile, PublicSuffixes.builtIn());
    }

    /**
     * @param fromDomain the domain of the RFC 5322 From address, empty when there is not exactly one
     * @param dkimPassDomains the d= of every DKIM signature that passed
     * @param spfResult the SPF result of the MAIL FROM identity, empty when not evaluated
     * @param spfDomain the domain SPF evaluated (MAIL FROM, or HELO for a null sender)
     */
    public DmarcResult evaluate(Optional<String> fromDomain, Collection<String> dkimPassDomains,
                                Optional<String> spfResult, String spfDomain) {
        if (fromDomain.isEmpty()) {
            return DmarcResult.of("none", "", "none", null, "no single From domain");
        }
        String from = fromDomain.get().toLowerCase(Locale.ROOT);
        String organization;
        try {
            organization = suffixes.organizationalDomain(from);
        } catch (IllegalArgumentException e) {
            return DmarcResult.of("permerror", from, "none", null, "From domain is not a domain name");
        }
        Discovery discovery = discover(from);
        boolean subdomainPolicy = false;
        if (discovery.record().isEmpty() && discovery.temporaryError().isEmpty() && !organization.equals(from)) {
            discovery = discover(organization);
            subdomainPolicy = true;
        }
        if (discovery.temporaryError().isPresent()) {
            return DmarcResult.of("temperror", from, "none", null, discovery.temporaryError().get());
        }
        if (discovery.record().isEmpty()) {
            return DmarcResult.of("none", from, "none", null, null);
        }
        Map<String, String> tags = discovery.record().get();
        String policy = subdomainPolicy ? tags.getOrDefault("sp", tags.get("p")) : tags.get("p");
        boolean strictDkim = "s".equals(tags.get("adkim"));
        boolean strictSpf = "s".equals(tags.get("aspf"));
        boolean dkimAligned = dkimPassDomains.stream().anyMatch(d -> aligned(d, from, organization, strictDkim));
        boolean spfAligned = spfResult.filter("pass"::equals).isPresent()
            && aligned(spfDomain, from, organization, strictSpf);
        if (dkimAligned || spfAligned) {
            return DmarcResult.of("pass", from, "none", policy, null);
        }
        int pct = percent(tags.get("pct"));
        String disposition = policy;
        if (!disposition.equals("none") && percentile.getAsInt() >= pct) {
            // Section 6.6.4: a message outside the sample gets the next policy down.
            disposition = disposition.equals("reject") ? "quarantine" : "none";
        }
        return DmarcResult.of("fail", from, disposition, policy, null);
    }

    private record Discovery(Optional<Map<String, String>> record, Optional<String> temporaryError) {
    }

    private Discovery discover(String domain) {
        TxtAnswer answer = dns.txt("_dmarc." + domain);
        if (answer.temporaryError().isPresent()) {
            return new Discovery(Optional.empty(), answer.temporaryError());
        }
        List<Map<String, String>> records = answer.records().stream()
            .filter(record -> record.startsWith("v=DMARC1"))
            .map(DmarcEvaluator::parse)
            .flatMap(Optional::stream)
            .toList();
        // Section 6.6.3: more than one record, or none usable, is no policy at all.
        return new Discovery(records.size() == 1 ? Optional.of(records.get(0)) : Optional.empty(), Optional.empty());
    }

    /** The tags of a record, or empty when it is unusable (its p= missing or unknown and no rua= to save it). */
    static Optional<Map<String, String>> parse(String record) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : record.split(";")) {
            int equals = spec.indexOf('=');
            if (equals > 0) {
                tags.putIfAbsent(spec.substring(0, equals).strip().toLowerCase(Locale.ROOT),
                    spec.substring(equals + 1).strip());
            }
        }
        if (!tags.getOrDefault("v", "").equals("DMARC1")) {
            return Optional.empty();
        }
        String p = tags.getOrDefault("p", "").toLowerCase(Locale.ROOT);
        if (!List.of("none", "quarantine", "reject").contains(p)) {
            if (!tags.containsKey("rua")) {
                return Optional.empty();
            }
            p = "none";
        }
        tags.put("p", p);
        String sp = tags.getOrDefault("sp", p).toLowerCase(Locale.ROOT);
        tags.put("sp", List.of("none", "quarantine", "reject").contains(sp) ? sp : p);
        tags.computeIfPresent("adkim", (k, v) -> v.toLowerCase(Locale.ROOT));
        tags.computeIfPresent("aspf", (k, v) -> v.toLowerCase(Locale.ROOT));
        return Optional.of(Map.copyOf(tags));
    }

    private static int percent(String pct) {
        if (pct == null) {
            return 100;
        }
        try {
            return Math.max(0, Math.min(100, Integer.parseInt(pct.strip())));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    private boolean aligned(String domain, String from, String organization, boolean strict) {
        if (domain == null || domain.isEmpty()) {
            return false;
        }
        String candidate = domain.toLowerCase(Locale.ROOT);
        if (strict) {
            return candidate.equals(from);
        }
        try {
            return suffixes.organizationalDomain(candidate).equals(organization);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
