package dev.gateway.authentication.spf;

import java.util.Locale;

/** Domain name rules of RFC 7208: the validity check of section 4.3 and the length limit of section 4.8. */
final class DomainNames {
    private static final int MAX_LENGTH = 253;

    private DomainNames() {
    }

    /** Section 4.3: a fully qualified name (two labels or more), no empty label, none over 63 octets. */
    static boolean isValid(String domain) {
        String name = withoutDot(domain);
        if (name.isEmpty() || name.length() > MAX_LENGTH || !name.contains(".")) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
        }
        return true;
    }

    /** Section 4.8: a name longer than 253 octets loses labels on the left until it fits. */
    static String truncate(String domain) {
        String name = withoutDot(domain);
        while (name.length() > MAX_LENGTH && name.contains(".")) {
            name = name.substring(name.indexOf('.') + 1);
        }
        return name;
    }

    /** Names compare without case (section 5.5, RFC 4343). */
    static boolean isSameOrUnder(String name, String domain) {
        String n = withoutDot(name).toLowerCase(Locale.ROOT);
        String d = withoutDot(domain).toLowerCase(Locale.ROOT);
        return n.equals(d) || n.endsWith("." + d);
    }

    static String withoutDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
