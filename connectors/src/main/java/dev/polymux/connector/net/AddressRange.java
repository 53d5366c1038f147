package dev.polymux.connector.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 CIDR range ({@code 10.0.0.0/8}, {@code fc00::/7}); a plain address is a range of one. */
public record AddressRange(byte[] network, int prefixLength) {

    /**
     * Parses a CIDR range or a single address. Only literals are accepted: a host name here would be resolved by
     * {@link InetAddress#getByName} and is refused instead.
     */
    public static AddressRange parse(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!address.matches("[0-9.]+") && !address.contains(":")) {
            throw new IllegalArgumentException("Not an address range: " + cidr);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("Prefix length out of range: " + cidr);
            }
            return new AddressRange(bytes, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("Not an address range: " + cidr, e);
        }
    }

    /** Whether a CIDR text looks like a range or address literal rather than a host name. */
    public static boolean looksLikeRange(String text) {
        String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return address.matches("[0-9.]+") || address.contains(":");
    }

    public boolean contains(InetAddress candidate) {
        byte[] bytes = candidate.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (bytes[full] & mask) == (network[full] & mask);
    }
}
