package dev.gateway.smtphooks;

import java.io.IOException;

/** The spam engine could not be reached, did not answer in time, or answered something other than a result. */
public class SpamEngineException extends IOException {

    private final boolean timeout;

    public SpamEngineException(String message, Throwable cause, boolean timeout) {
        super(message, cause);
        this.timeout = timeout;
    }

    public SpamEngineException(String message) {
        this(message, null, false);
    }

    /** True when the engine accepted the connection but did not answer within the read timeout. */
    public boolean isTimeout() {
        return timeout;
    }
}
