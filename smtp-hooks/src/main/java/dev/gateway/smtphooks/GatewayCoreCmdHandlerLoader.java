package dev.gateway.smtphooks;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;

/**
 * James's core SMTP handlers with {@link FailureAnsweringCommandDispatcher} in place of James's command dispatcher.
 * {@link FrontDoorSmtpServer} makes it every listener's default core package; a handler chain naming another with its
 * {@code coreHandlersPackage} attribute should name a subclass of this one ({@link CoreCmdHandlerLoaderWithoutGreeting}).
 */
public class GatewayCoreCmdHandlerLoader extends CoreCmdHandlerLoader {

    @Override
    public List<String> getHandlers() {
        return super.getHandlers().stream()
            .map(handler -> handler.equals(CommandDispatcher.class.getName())
                ? FailureAnsweringCommandDispatcher.class.getName()
                : handler)
            .collect(Collectors.toUnmodifiableList());
    }
}
