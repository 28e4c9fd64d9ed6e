package dev.gateway.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Singleton;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.server.core.configuration.ConfigurationProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * The mail repositories of mailetcontainer.xml are named {@code repository://var/mail/<name>/}: the
 * {@code repository} protocol means "the storage backend's repositories", so one configuration serves every
 * backend. Each backend binds its {@link MailRepositoryStoreConfiguration.Item} ({@link #item}), which also answers
 * to its own protocol ({@code memory://}, {@code cassandra://}). Repositories declared in mailrepositorystore.xml
 * (e.g. {@code file://}) come in addition; James alone would use either those or the backend's, not both.
 */
final class MailRepositoryProtocols extends AbstractModule {

    /** The protocol of the repository URLs in mailetcontainer.xml. */
    static final String BACKEND_NEUTRAL = "repository";

    static MailRepositoryStoreConfiguration.Item item(String backendProtocol, Class<?> repositoryClass) {
        return new MailRepositoryStoreConfiguration.Item(
            List.of(new Protocol(BACKEND_NEUTRAL), new Protocol(backendProtocol)),
            repositoryClass.getName(),
            new BaseHierarchicalConfiguration());
    }

    @Provides
    @Singleton
    MailRepositoryStoreConfiguration configuration(ConfigurationProvider configurations,
                                                   MailRepositoryStoreConfiguration.Item backend) throws ConfigurationException {
        MailRepositoryStoreConfiguration configured =
            MailRepositoryStoreConfiguration.parse(configurations.getConfiguration("mailrepositorystore"));
        List<MailRepositoryStoreConfiguration.Item> items = new ArrayList<>();
        items.add(backend);
        items.addAll(configured.getItems());
        return new MailRepositoryStoreConfiguration(items,
            configured.getDefaultProtocol().or(() -> Optional.of(new Protocol(BACKEND_NEUTRAL))));
    }
}
