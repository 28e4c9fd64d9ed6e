package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.smtpserver.CoreCmdHandlerLoader;
import org.apache.james.smtpserver.JamesWelcomeMessageHandler;
import org.junit.jupiter.api.Test;

/** Both core packages Gateway's listeners load carry the failure-answering dispatcher in place of James's. */
class GatewayCoreCmdHandlerLoaderTest {

    @Test
    void replacesJamesDispatcherAndKeepsEveryOtherCoreHandlerInOrder() {
        assertThat(new GatewayCoreCmdHandlerLoader().getHandlers())
            .doesNotContain(CommandDispatcher.class.getName())
            .containsExactlyElementsOf(new CoreCmdHandlerLoader().getHandlers().stream()
                .map(handler -> handler.equals(CommandDispatcher.class.getName())
                    ? FailureAnsweringCommandDispatcher.class.getName() : handler)
                .toList());
    }

    @Test
    void theMxListenersCorePackageHasTheDispatcherButNotJamesGreeting() {
        assertThat(new CoreCmdHandlerLoaderWithoutGreeting().getHandlers())
            .contains(FailureAnsweringCommandDispatcher.class.getName())
            .doesNotContain(CommandDispatcher.class.getName(), JamesWelcomeMessageHandler.class.getName());
    }
}
