package dev.gateway.app;

import java.util.List;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;

/**
 * The mail repositories of mailetcontainer.xml are named {@code repository://var/mail/<name>/}: the
 * {@code repository} protocol means "the storage backend's repositories", so one configuration serves every
 * backend. Each backend also answers to its own protocol ({@code memory://}, {@code cassandra://}).
 */
final class MailRepositoryProtocols {

    /** The protocol of the repository URLs in mailetcontainer.xml. */
    static final String BACKEND_NEUTRAL = "repository";

    static MailRepositoryStoreConfiguration.Item item(String backendProtocol, Class<?> repositoryClass) {
        return new MailRepositoryStoreConfiguration.Item(
            List.of(new Protocol(BACKEND_NEUTRAL), new Protocol(backendProtocol)),
            repositoryClass.getName(),
            new BaseHierarchicalConfiguration());
    }

    private MailRepositoryProtocols() {
    }
}
