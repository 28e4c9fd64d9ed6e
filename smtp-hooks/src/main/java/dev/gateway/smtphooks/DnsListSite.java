package dev.gateway.smtphooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One entry of a DNS list setting, written as Postfix's {@code postscreen_dnsbl_sites}:
 * {@code zone[=filter][*weight]}. The filter, when given, is an IPv4 address whose octets may be a number, a range
 * {@code [2..11]} or a list {@code [2;4;6]} (and mixes, {@code [2..4;9]}): only answers it matches count. The weight
 * (default 1) is added to the client's score when the list answers; a negative weight makes an allowlist.
 *
 * <pre>{@code
 * zen.spamhaus.org=127.0.0.[2..11]*3
 * bl.spamcop.net*2
 * list.dnswl.org=127.0.[0..255].[1..3]*-5
 * }</pre>
 */
record DnsListSite(String zone, Optional<List<OctetSet>> filter, int weight) {

    /** The values one octet of a filter accepts. */
    record OctetSet(List<int[]> ranges) {
        boolean contains(int value) {
            return ranges.stream().anyMatch(range -> value >= range[0] && value <= range[1]);
        }
    }

    static List<DnsListSite> parseAll(String setting) {
        List<DnsListSite> sites = new ArrayList<>();
        for (String entry : setting.split("[,\\s]+")) {
            if (!entry.isBlank()) {
                sites.add(parse(entry.trim()));
            }
        }
        return List.copyOf(sites);
    }

    static DnsListSite parse(String entry) {
        String rest = entry;
        int weight = 1;
        int star = rest.lastIndexOf('*');
        if (star >= 0) {
            weight = parseNumber(entry, rest.substring(star + 1), Integer.MIN_VALUE + 1, Integer.MAX_VALUE);
            rest = rest.substring(0, star);
        }
        Optional<List<OctetSet>> filter = Optional.empty();
        int equals = rest.indexOf('=');
        if (equals >= 0) {
            filter = Optional.of(parseFilter(entry, rest.substring(equals + 1)));
            rest = rest.substring(0, equals);
        }
        String zone = rest.toLowerCase(Locale.ROOT);
        if (zone.endsWith(".")) {
            zone = zone.substring(0, zone.length() - 1);
        }
        if (!zone.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)+")) {
            throw new IllegalArgumentException("DNS list " + entry + ": " + rest + " is not a domain name");
        }
        return new DnsListSite(zone, filter, weight);
    }

    private static List<OctetSet> parseFilter(String entry, String filter) {
        List<OctetSet> octets = new ArrayList<>();
        // Dots inside [..] are ranges, not octet separators.
        StringBuilder octet = new StringBuilder();
        boolean inBrackets = false;
        for (char c : filter.toCharArray()) {
            if (c == '.' && !inBrackets) {
                octets.add(parseOctet(entry, octet.toString()));
                octet.setLength(0);
                continue;
            }
            inBrackets = c == '[' || (inBrackets && c != ']');
            octet.append(c);
        }
        octets.add(parseOctet(entry, octet.toString()));
        if (octets.size() != 4) {
            throw new IllegalArgumentException("DNS list " + entry + ": the filter " + filter
                + " must have four octets, like 127.0.0.[2..11]");
        }
        return List.copyOf(octets);
    }

    private static OctetSet parseOctet(String entry, String octet) {
        if (!octet.startsWith("[")) {
            int value = parseNumber(entry, octet, 0, 255);
            return new OctetSet(List.<int[]>of(new int[] {value, value}));
        }
        if (!octet.endsWith("]") || octet.length() < 3) {
            throw new IllegalArgumentException("DNS list " + entry + ": bad filter octet " + octet);
        }
        List<int[]> ranges = new ArrayList<>();
        for (String part : octet.substring(1, octet.length() - 1).split(";")) {
            int dots = part.indexOf("..");
            if (dots >= 0) {
                int low = parseNumber(entry, part.substring(0, dots), 0, 255);
                int high = parseNumber(entry, part.substring(dots + 2), 0, 255);
                if (low > high) {
                    throw new IllegalArgumentException("DNS list " + entry + ": empty range " + part);
                }
                ranges.add(new int[] {low, high});
            } else {
                int value = parseNumber(entry, part, 0, 255);
                ranges.add(new int[] {value, value});
            }
        }
        return new OctetSet(List.copyOf(ranges));
    }

    private static int parseNumber(String entry, String text, int min, int max) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DNS list " + entry + ": " + text + " is not a number from " + min
                + " to " + max);
        }
    }

    /** Whether one answer of the list counts: any answer without a filter, else one the filter matches. */
    boolean matches(InetAddress answer) {
        if (filter.isEmpty()) {
            return true;
        }
        byte[] octets = answer.getAddress();
        if (octets.length != 4) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (!filter.get().get(i).contains(octets[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** The name to ask for a client: its address reversed (octets for IPv4, nibbles for IPv6) under the zone. */
    String queryFor(InetAddress client) {
        return reversed(client) + "." + zone;
    }

    static String reversed(InetAddress client) {
        byte[] bytes = client.getAddress();
        StringBuilder name = new StringBuilder();
        if (client instanceof Inet4Address) {
            for (int i = 3; i >= 0; i--) {
                name.append(bytes[i] & 0xff).append(i > 0 ? "." : "");
            }
        } else if (client instanceof Inet6Address) {
            for (int i = 15; i >= 0; i--) {
                name.append(Character.forDigit(bytes[i] & 0x0f, 16)).append('.')
                    .append(Character.forDigit((bytes[i] >> 4) & 0x0f, 16)).append(i > 0 ? "." : "");
            }
        }
        return name.toString();
    }

    @Override
    public String toString() {
        return zone + (weight == 1 ? "" : "*" + weight);
    }
}
