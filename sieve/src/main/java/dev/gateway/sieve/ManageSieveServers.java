package dev.gateway.sieve;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.managesieve.jsieve.Parser;
import org.apache.james.managesieve.transcode.ArgumentParser;
import org.apache.james.managesieve.transcode.ManageSieveProcessor;
import org.apache.james.managesieveserver.netty.ManageSieveServerFactory;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.user.api.UsersRepository;

/**
 * The listeners of managesieveserver.xml, as James's factory builds them but with two fixes: passwords only after
 * STARTTLS ({@link ManageSieveRequiresTls}) and commands still read after STARTTLS ({@link StartTlsManageSieveServer}).
 * James's factory builds its command processor inside {@code init()}, so both are replaced here.
 */
public class ManageSieveServers extends ManageSieveServerFactory {

    /** James's own value: the longest command line a ManageSieve listener reads. */
    private static final int MAX_LINE_LENGTH = 8000;

    private final FileSystem fileSystem;
    private final ManageSieveProcessor processor;

    @Inject
    public ManageSieveServers(FileSystem fileSystem, SieveRepository scripts, UsersRepository users, Parser parser) {
        this.fileSystem = fileSystem;
        this.processor = new ManageSieveProcessor(new ArgumentParser(new ManageSieveRequiresTls(scripts, users, parser)));
    }

    @Override
    protected List<AbstractConfigurableAsyncServer> createServers(HierarchicalConfiguration<ImmutableNode> config) throws Exception {
        List<AbstractConfigurableAsyncServer> servers = new ArrayList<>();
        for (HierarchicalConfiguration<ImmutableNode> listener : config.configurationsAt("managesieveserver")) {
            StartTlsManageSieveServer server = new StartTlsManageSieveServer(MAX_LINE_LENGTH, processor);
            server.setFileSystem(fileSystem);
            server.configure(listener);
            servers.add(server);
        }
        return servers;
    }
}
