package dev.gateway.storage.cassandra;

import java.util.List;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;

/**
 * The domain list with {@link #containsDomain} answered from a {@link ShortLivedCache}: every SMTP hook and mailet
 * that asks whether a domain is local (the recipient checks at RCPT, the rewrite table, the local-delivery matchers)
 * read the {@code domains} table again, several times per message.
 *
 * <p>Why not James's own cache ({@code read.cache.enable} in domainlist.xml): it is not cleared when a domain is
 * added or removed through the same node, so a domain added through WebAdmin could be refused there for the whole
 * expiry after one refused message; and the same file configures the memory profile, which needs no cache.
 */
public final class CachingDomainList implements DomainList {

    private final DomainList domains;
    private final ShortLivedCache<Domain, Boolean> contains;

    public CachingDomainList(DomainList domains, ShortLivedCache<Domain, Boolean> contains) {
        this.domains = domains;
        this.contains = contains;
    }

    @Override
    public boolean containsDomain(Domain domain) throws DomainListException {
        return contains.get(domain, () -> domains.containsDomain(domain));
    }

    @Override
    public List<Domain> getDomains() throws DomainListException {
        return domains.getDomains();
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        try {
            domains.addDomain(domain);
        } finally {
            contains.invalidateAll();
        }
    }

    @Override
    public void removeDomain(Domain domain) throws DomainListException {
        try {
            domains.removeDomain(domain);
        } finally {
            contains.invalidateAll();
        }
    }

    @Override
    public Domain getDefaultDomain() throws DomainListException {
        return domains.getDefaultDomain();
    }
}
