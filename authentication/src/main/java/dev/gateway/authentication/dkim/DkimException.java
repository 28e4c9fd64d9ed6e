package dev.gateway.authentication.dkim;

/** Why a signature could not be checked: permanently (a broken signature or key) or for now (DNS). */
public final class DkimException extends Exception {
    private final boolean temporary;

    private DkimException(String message, boolean temporary) {
        super(message);
        this.temporary = temporary;
    }

    public static DkimException permanent(String message) {
        return new DkimException(message, false);
    }

    public static DkimException temporary(String message) {
        return new DkimException(message, true);
    }

    public boolean temporary() {
        return temporary;
    }
}
