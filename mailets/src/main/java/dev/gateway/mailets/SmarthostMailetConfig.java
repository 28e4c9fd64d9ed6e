package dev.gateway.mailets;

import java.util.Iterator;
import java.util.Map;

import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;

/**
 * The settings James's RemoteDelivery is built with for one smarthost. Holds the AUTH password among its
 * parameters, so it has no {@code toString} that shows them.
 */
final class SmarthostMailetConfig implements MailetConfig {

    private final String name;
    private final MailetContext context;
    private final Map<String, String> parameters;

    SmarthostMailetConfig(String name, MailetContext context, Map<String, String> parameters) {
        this.name = name;
        this.context = context;
        this.parameters = Map.copyOf(parameters);
    }

    @Override
    public String getInitParameter(String parameter) {
        return parameters.get(parameter);
    }

    @Override
    public Iterator<String> getInitParameterNames() {
        return parameters.keySet().iterator();
    }

    @Override
    public MailetContext getMailetContext() {
        return context;
    }

    @Override
    public String getMailetName() {
        return name;
    }

    @Override
    public String toString() {
        return "RemoteDelivery settings for " + name;
    }
}
