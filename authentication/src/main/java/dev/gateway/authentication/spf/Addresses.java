package dev.gateway.authentication.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Address helpers of RFC 7208: CIDR matching (section 5.6) and the dotted forms of the {@code i} macro (7.3). */
public final class Addresses {
    private Addresses() {
    }

    static boolean inNetwork(InetAddress address, InetAddress network, int prefix) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code 1.2.3.4}, or an IPv6 address as 32 dot-separated nibbles (section 7.3, macro {@code i}), in upper case as
     * in the RFC's example (section 7.4) and the openspf suite's {@code v-macro-ip6}.
     */
    static String dotted(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        List<String> nibbles = new ArrayList<>();
        for (byte b : address.getAddress()) {
            nibbles.add(Integer.toHexString((b >> 4) & 0xf).toUpperCase(java.util.Locale.ROOT));
            nibbles.add(Integer.toHexString(b & 0xf).toUpperCase(java.util.Locale.ROOT));
        }
        return String.join(".", nibbles);
    }

    /** The name PTR records of an address live under (RFC 1035 3.5, RFC 3596 2.5). */
    public static String reverseName(InetAddress address) {
        List<String> parts = new ArrayList<>(List.of(dotted(address).split("\\.")));
        Collections.reverse(parts);
        return String.join(".", parts) + (address instanceof Inet4Address ? ".in-addr.arpa" : ".ip6.arpa");
    }
}
