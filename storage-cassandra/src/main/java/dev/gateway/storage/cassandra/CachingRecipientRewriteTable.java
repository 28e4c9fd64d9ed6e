package dev.gateway.storage.cassandra;

import java.util.EnumSet;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;

/**
 * The recipient rewrite table with resolved mappings (what an address is rewritten to: aliases, forwards, groups,
 * domain aliases) answered from a {@link ShortLivedCache}: the recipient check at RCPT and the rewrite mailet each
 * resolved every recipient again, two reads of the {@code rrt} table and more per address.
 *
 * <p>Only resolution is cached; stored mappings, listings and sources (what WebAdmin shows) are read from Cassandra
 * as before. Any change through this node clears the cache (mappings chain, so one change can alter the resolution of
 * other addresses); errors (an error mapping, a loop) are not kept.
 */
public final class CachingRecipientRewriteTable implements RecipientRewriteTable {

    /** What a resolution depends on. */
    public record Resolution(String user, Domain domain, EnumSet<Mapping.Type> types) {
        public Resolution {
            types = EnumSet.copyOf(types);
        }
    }

    private final RecipientRewriteTable table;
    private final ShortLivedCache<Resolution, Mappings> resolved;

    public CachingRecipientRewriteTable(RecipientRewriteTable table, ShortLivedCache<Resolution, Mappings> resolved) {
        this.table = table;
        this.resolved = resolved;
    }

    @Override
    public Mappings getResolvedMappings(String user, Domain domain, EnumSet<Mapping.Type> mappingTypes)
            throws ErrorMappingException, RecipientRewriteTableException {
        try {
            return resolved.get(new Resolution(user, domain, mappingTypes), () -> resolve(user, domain, mappingTypes));
        } catch (ResolutionFailure failure) {
            throw failure.cause;
        }
    }

    private Mappings resolve(String user, Domain domain, EnumSet<Mapping.Type> mappingTypes)
            throws RecipientRewriteTableException, ResolutionFailure {
        try {
            return table.getResolvedMappings(user, domain, mappingTypes);
        } catch (ErrorMappingException e) {
            throw new ResolutionFailure(e);
        }
    }

    // The lookup may throw one checked exception type: the other one travels in this wrapper.
    private static final class ResolutionFailure extends RecipientRewriteTableException {
        private final ErrorMappingException cause;

        ResolutionFailure(ErrorMappingException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    private interface Write {
        void run() throws RecipientRewriteTableException;
    }

    private void write(Write write) throws RecipientRewriteTableException {
        try {
            write.run();
        } finally {
            resolved.invalidateAll();
        }
    }

    @Override
    public void addMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        write(() -> table.addMapping(source, mapping));
    }

    @Override
    public void removeMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        write(() -> table.removeMapping(source, mapping));
    }

    @Override
    public void addRegexMapping(MappingSource source, String regex) throws RecipientRewriteTableException {
        write(() -> table.addRegexMapping(source, regex));
    }

    @Override
    public void removeRegexMapping(MappingSource source, String regex) throws RecipientRewriteTableException {
        write(() -> table.removeRegexMapping(source, regex));
    }

    @Override
    public void addAddressMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.addAddressMapping(source, address));
    }

    @Override
    public void removeAddressMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.removeAddressMapping(source, address));
    }

    @Override
    public void addErrorMapping(MappingSource source, String error) throws RecipientRewriteTableException {
        write(() -> table.addErrorMapping(source, error));
    }

    @Override
    public void removeErrorMapping(MappingSource source, String error) throws RecipientRewriteTableException {
        write(() -> table.removeErrorMapping(source, error));
    }

    @Override
    public void addDomainMapping(MappingSource source, Domain realDomain) throws RecipientRewriteTableException {
        write(() -> table.addDomainMapping(source, realDomain));
    }

    @Override
    public void removeDomainMapping(MappingSource source, Domain realDomain) throws RecipientRewriteTableException {
        write(() -> table.removeDomainMapping(source, realDomain));
    }

    @Override
    public void addDomainAliasMapping(MappingSource source, Domain realDomain) throws RecipientRewriteTableException {
        write(() -> table.addDomainAliasMapping(source, realDomain));
    }

    @Override
    public void removeDomainAliasMapping(MappingSource source, Domain realDomain) throws RecipientRewriteTableException {
        write(() -> table.removeDomainAliasMapping(source, realDomain));
    }

    @Override
    public void addForwardMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.addForwardMapping(source, address));
    }

    @Override
    public void removeForwardMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.removeForwardMapping(source, address));
    }

    @Override
    public void addGroupMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.addGroupMapping(source, address));
    }

    @Override
    public void removeGroupMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.removeGroupMapping(source, address));
    }

    @Override
    public void addAliasMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.addAliasMapping(source, address));
    }

    @Override
    public void removeAliasMapping(MappingSource source, String address) throws RecipientRewriteTableException {
        write(() -> table.removeAliasMapping(source, address));
    }

    @Override
    public Mappings getStoredMappings(MappingSource source) throws RecipientRewriteTableException {
        return table.getStoredMappings(source);
    }

    @Override
    public Map<MappingSource, Mappings> getAllMappings() throws RecipientRewriteTableException {
        return table.getAllMappings();
    }

    @Override
    public RecipientRewriteTableConfiguration getConfiguration() {
        return table.getConfiguration();
    }

    @Override
    public Stream<MappingSource> listSources(Mapping mapping) throws RecipientRewriteTableException {
        return table.listSources(mapping);
    }

    @Override
    public Stream<MappingSource> getSourcesForType(Mapping.Type type) throws RecipientRewriteTableException {
        return table.getSourcesForType(type);
    }

    @Override
    public Stream<Mapping> getMappingsForType(Mapping.Type type) throws RecipientRewriteTableException {
        return table.getMappingsForType(type);
    }
}
