package dev.polymux.connector.manifest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.polymux.connector.net.AddressRange;

/**
 * Review's half of the address guard: hosts a manifest names (in {@code allowedHosts}, tool URLs, OAuth endpoints) must
 * be public DNS names. IP literals and names that only mean something inside a network (localhost, {@code *.local},
 * {@code *.internal}, {@code *.svc}, {@code *.cluster.local}, single labels) are refused unless the operator's allow
 * list ({@code polymux.connectors.allowed-private-hosts}) covers them, with the same entries and the same matching as
 * {@link dev.polymux.connector.net.AddressGuard}: exact names, {@code *.suffix}, CIDR ranges for literals. The
 * connect-time guard still checks every resolved address; this refuses what is private on its face.
 */
final class PrivateHosts {

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");
    private static final List<String> PRIVATE_SUFFIXES = List.of(".localhost", ".local", ".internal", ".svc", ".cluster.local",
            ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp");

    private final List<String> allowedNames = new ArrayList<>();
    private final List<AddressRange> allowedRanges = new ArrayList<>();

    PrivateHosts(List<String> allowedPrivateHosts) {
        for (String entry : allowedPrivateHosts) {
            String trimmed = entry.trim().toLowerCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (AddressRange.looksLikeRange(trimmed)) {
                allowedRanges.add(AddressRange.parse(trimmed));
            } else {
                allowedNames.add(trimmed);
            }
        }
    }

    /**
     * Why {@code host} (a name, {@code *.suffix}, an IPv4 or IPv6 literal, bracketed or not; no port) may not be named by
     * a manifest, or empty when it may.
     */
    Optional<String> problem(String rawHost) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.contains(":") || IPV4.matcher(host).matches()) {
            return literalAllowed(host) ? Optional.empty() : Optional.of("is an IP address; manifests name providers by their public "
                    + "DNS names (an operator can allow private hosts with polymux.connectors.allowed-private-hosts)");
        }
        String lastLabel = host.substring(host.lastIndexOf('.') + 1);
        String reason = null;
        if (NUMERIC_LABEL.matcher(lastLabel).matches()) {
            reason = "is a numeric address";
        } else if (host.equals("localhost") || PRIVATE_SUFFIXES.stream().anyMatch(host::endsWith)) {
            reason = "is a private or cluster-internal name";
        } else if (host.replace("*.", "").indexOf('.') < 0) {
            reason = "is a single-label name, which only resolves inside a network";
        }
        if (reason == null || nameAllowed(host)) {
            return Optional.empty();
        }
        return Optional.of(reason + "; manifests name providers by their public DNS names (an operator can allow private hosts with "
                + "polymux.connectors.allowed-private-hosts)");
    }

    private boolean nameAllowed(String host) {
        for (String allowed : allowedNames) {
            // "*.example.internal" covers every subdomain, and so every wildcard under it too.
            if (allowed.equals(host) || (allowed.startsWith("*.") && host.endsWith(allowed.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    private boolean literalAllowed(String host) {
        if (host.contains("%")) {
            return false; // zone ids name an interface of whichever machine runs the call
        }
        InetAddress address;
        try {
            // A literal only: never resolves a name (the patterns above let through nothing else).
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return false;
        }
        return allowedRanges.stream().anyMatch(range -> range.contains(address));
    }
}
