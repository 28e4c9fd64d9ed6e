package dev.gateway.authentication.spf;

/**
 * Ends an evaluation with {@code permerror} (a record that cannot be used, a processing limit exceeded: RFC 7208
 * sections 2.6.7, 4.6.4) or {@code temperror} (a DNS lookup that failed: section 2.6.6).
 */
public class SpfAbort extends Exception {
    private final SpfResult result;

    private SpfAbort(SpfResult result, String reason) {
        super(reason, null, false, false);
        this.result = result;
    }

    public static SpfAbort permerror(String reason) {
        return new SpfAbort(SpfResult.PERMERROR, reason);
    }

    public static SpfAbort temperror(String reason) {
        return new SpfAbort(SpfResult.TEMPERROR, reason);
    }

    public SpfResult result() {
        return result;
    }
}
