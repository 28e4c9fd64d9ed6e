package dev.gateway.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import com.google.common.net.InetAddresses;

/** An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address is a /32 or /128. */
record Network(String text, byte[] prefix, int bits) {

    static Network parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!InetAddresses.isInetAddress(address)) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR network");
        }
        byte[] bytes = InetAddresses.forString(address).getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
            }
        }
        return new Network(trimmed, bytes, bits);
    }

    boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != prefix.length) {
            return false;
        }
        int fullBytes = bits / 8;
        if (!Arrays.equals(prefix, 0, fullBytes, candidate, 0, fullBytes)) {
            return false;
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (prefix[fullBytes] & mask) == (candidate[fullBytes] & mask);
    }

    static InetAddress address(String text) throws UnknownHostException {
        if (!InetAddresses.isInetAddress(text.trim())) {
            throw new UnknownHostException(text + " is not an IP address");
        }
        return InetAddresses.forString(text.trim());
    }

    @Override
    public String toString() {
        return text;
    }
}
