package dev.gateway.smtphooks;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.smtpserver.JamesWelcomeMessageHandler;

/**
 * Gateway's core SMTP handlers ({@link GatewayCoreCmdHandlerLoader}) without James's greeting, for listeners whose
 * greeting {@link GreetAfterDelay} writes: James writes the greeting at once from the connection's I/O thread, so a
 * greeting that waits cannot be added beside it.
 *
 * James loads the core package named by the handler chain's {@code coreHandlersPackage} attribute, and the server's
 * default ({@link GatewayCoreCmdHandlerLoader} for a {@link FrontDoorSmtpServer}) whenever the attribute is absent,
 * whatever {@code <handler>} elements say:
 *
 * <pre>{@code
 * <handlerchain coreHandlersPackage="dev.gateway.smtphooks.CoreCmdHandlerLoaderWithoutGreeting">
 *     <handler class="dev.gateway.smtphooks.GreetAfterDelay"><delay>6s</delay></handler>
 *     ...
 * </handlerchain>
 * }</pre>
 */
public class CoreCmdHandlerLoaderWithoutGreeting extends GatewayCoreCmdHandlerLoader {

    @Override
    public List<String> getHandlers() {
        return super.getHandlers().stream()
            .filter(handler -> !handler.equals(JamesWelcomeMessageHandler.class.getName()))
            .collect(Collectors.toUnmodifiableList());
    }
}
