package dev.gateway.smtphooks;

import java.util.List;

import org.apache.james.protocols.api.Response;

/**
 * The answer of a connect handler that writes nothing now: James 3.8.1's connection statistics fail on a null one.
 * No line is written for it.
 */
final class NothingToSay implements Response {
    static final Response INSTANCE = new NothingToSay();

    private NothingToSay() {
    }

    @Override
    public String getRetCode() {
        return "";
    }

    @Override
    public List<CharSequence> getLines() {
        return List.of();
    }

    @Override
    public boolean isEndSession() {
        return false;
    }
}
