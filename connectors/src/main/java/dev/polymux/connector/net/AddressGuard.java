package dev.polymux.connector.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Decides whether Polymux may open a connection to a URL a manifest or a provider named: https only, and never to
 * loopback, link-local (cloud metadata at 169.254.169.254 included), RFC 1918, CGNAT, unique-local IPv6 or the
 * operator's cluster ranges, after resolving the host. An operator allow list opens named hosts or ranges (the local
 * stack opens loopback, so that an author can try a connector against a mock on their own machine), and plain http
 * is possible only where an operator allowed it.
 * <p>
 * The check runs right before each connection is made, so a host that resolved to a public address at review time
 * and to a private one now (DNS rebinding) is refused now.
 */
public final class AddressGuard {

    /** A URL Polymux will not connect to; the message names the host and why, never any credential. */
    public static final class AddressRefusedException extends RuntimeException {
        public AddressRefusedException(String message) {
            super(message, null, false, false);
        }
    }

    /** Always refused unless an operator allowed them: what is not the public internet. */
    private static final List<AddressRange> PRIVATE = List.of(
            AddressRange.parse("0.0.0.0/8"), AddressRange.parse("10.0.0.0/8"), AddressRange.parse("100.64.0.0/10"),
            AddressRange.parse("127.0.0.0/8"), AddressRange.parse("169.254.0.0/16"), AddressRange.parse("172.16.0.0/12"),
            AddressRange.parse("192.0.0.0/24"), AddressRange.parse("192.168.0.0/16"), AddressRange.parse("198.18.0.0/15"),
            AddressRange.parse("224.0.0.0/3"), AddressRange.parse("::/127"), AddressRange.parse("fc00::/7"),
            AddressRange.parse("fe80::/10"), AddressRange.parse("fec0::/10"), AddressRange.parse("ff00::/8"),
            // IPv4-mapped IPv6 (::ffff:a.b.c.d) needs no range: Java turns such addresses into the IPv4 ones they carry.
            AddressRange.parse("64:ff9b::/96"));

    private final List<String> allowedHostNames = new ArrayList<>();
    private final List<AddressRange> allowedRanges = new ArrayList<>();
    private final List<AddressRange> blocked = new ArrayList<>(PRIVATE);
    private final boolean allowPlainHttp;
    private final Resolver resolver;

    /** Name resolution, replaceable in tests that need a host to resolve to a chosen address. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * @param allowedPrivateHosts host names (exact, or {@code *.example.internal}) and address ranges an operator opened
     * @param extraBlockedRanges  the cluster's own pod and service ranges, refused like private ones
     * @param allowPlainHttp      whether http (not https) is allowed at all; even then only to allowed private hosts
     *                            or public hosts, never to a refused address
     */
    public AddressGuard(List<String> allowedPrivateHosts, List<String> extraBlockedRanges, boolean allowPlainHttp, Resolver resolver) {
        for (String entry : allowedPrivateHosts) {
            String trimmed = entry.trim().toLowerCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (AddressRange.looksLikeRange(trimmed)) {
                allowedRanges.add(AddressRange.parse(trimmed));
            } else {
                allowedHostNames.add(trimmed);
            }
        }
        extraBlockedRanges.stream().map(String::trim).filter(range -> !range.isEmpty()).map(AddressRange::parse).forEach(blocked::add);
        this.allowPlainHttp = allowPlainHttp;
        this.resolver = resolver;
    }

    public static AddressGuard of(Optional<List<String>> allowedPrivateHosts, Optional<List<String>> extraBlockedRanges, boolean allowPlainHttp) {
        return new AddressGuard(allowedPrivateHosts.orElse(List.of()), extraBlockedRanges.orElse(List.of()), allowPlainHttp,
                InetAddress::getAllByName);
    }

    /**
     * Checks {@code url} (resolving its host off the event loop) and carries on on the caller's Vert.x context, so
     * that reactive database work after it stays on its own thread. {@code what} says what the URL is for, for the
     * message ("the token endpoint of Acme").
     */
    public Uni<Void> check(URI url, String what) {
        return Uni.createFrom().deferred(() -> {
            String host;
            try {
                host = checkSyntax(url, what);
            } catch (AddressRefusedException refused) {
                return Uni.createFrom().failure(refused);
            }
            if (hostAllowedByName(host)) {
                return Uni.createFrom().voidItem();
            }
            Context caller = Vertx.currentContext();
            Uni<Void> resolved = Uni.createFrom().<Void>item(() -> {
                checkResolved(host, what);
                return null;
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            return caller == null ? resolved : resolved.emitOn(command -> caller.runOnContext(ignored -> command.run()));
        });
    }

    /**
     * Checks {@code url} like {@link #check} and yields the address the connection must go to: the first of the host's
     * resolved addresses, all of which passed. Connecting to exactly this address (not resolving the name again)
     * closes the window in which DNS could answer differently (rebinding). A host the operator allowed by name is
     * resolved too, and not range-checked.
     */
    public Uni<InetAddress> checkedAddress(URI url, String what) {
        return Uni.createFrom().deferred(() -> {
            String host;
            try {
                host = checkSyntax(url, what);
            } catch (AddressRefusedException refused) {
                return Uni.createFrom().failure(refused);
            }
            return checkedHostAddress(host, what);
        });
    }

    /**
     * The address check alone, for a host that is not named by an http(s) URL (an MQTT broker): the scheme rules do
     * not apply, everything else does.
     */
    public Uni<InetAddress> checkedHostAddress(String host, String what) {
        return Uni.createFrom().deferred(() -> {
            String bare = host.toLowerCase(Locale.ROOT);
            String name = bare.startsWith("[") && bare.endsWith("]") ? bare.substring(1, bare.length() - 1) : bare;
            Context caller = Vertx.currentContext();
            Uni<InetAddress> resolved = Uni.createFrom().item(() -> checkedAddress(name, what))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            return caller == null ? resolved : resolved.emitOn(command -> caller.runOnContext(ignored -> command.run()));
        });
    }

    /** The same as {@link #checkedAddress(URI, String)}, blocking: for code already off the event loop. */
    public InetAddress checkedAddressBlocking(URI url, String what) {
        return checkedAddress(checkSyntax(url, what), what);
    }

    private InetAddress checkedAddress(String host, String what) {
        if (hostAllowedByName(host)) {
            return resolve(host, what)[0];
        }
        return checkResolved(host, what)[0];
    }

    /** The same check, blocking: for code already off the event loop. */
    public void checkBlocking(URI url, String what) {
        String host = checkSyntax(url, what);
        if (!hostAllowedByName(host)) {
            checkResolved(host, what);
        }
    }

    /**
     * Only what the URL itself says (absolute, https unless allowed, no user information), without resolving it: for
     * URLs Polymux does not connect to itself (an authorization endpoint, which the person's browser opens) and for
     * checks ahead of time, where the connect-time {@link #check} follows.
     */
    public void checkUrl(URI url, String what) {
        checkSyntax(url, what);
    }

    private String checkSyntax(URI url, String what) {
        if (url == null || url.getHost() == null || url.getScheme() == null) {
            throw new AddressRefusedException("The address of " + what + " is not an absolute URL with a host.");
        }
        if (url.getRawUserInfo() != null) {
            throw new AddressRefusedException("The address of " + what + " carries user information; put credentials in the manifest's "
                    + "credential settings, never in a URL.");
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!scheme.equals("https") && !(scheme.equals("http") && allowPlainHttp)) {
            throw new AddressRefusedException("The address of " + what + " (" + host + ") must use https.");
        }
        return host;
    }

    private boolean hostAllowedByName(String host) {
        for (String allowed : allowedHostNames) {
            if (allowed.equals(host) || (allowed.startsWith("*.") && host.endsWith(allowed.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    private InetAddress[] resolve(String host, String what) {
        try {
            InetAddress[] addresses = resolver.resolve(host);
            if (addresses == null || addresses.length == 0) {
                throw new UnknownHostException(host);
            }
            return addresses;
        } catch (UnknownHostException e) {
            throw new AddressRefusedException("The host of " + what + " (" + host + ") does not resolve.");
        }
    }

    private InetAddress[] checkResolved(String host, String what) {
        InetAddress[] addresses = resolve(host, what);
        for (InetAddress address : addresses) {
            if (refused(address)) {
                throw new AddressRefusedException("The host of " + what + " (" + host + ") resolves to a private or internal address ("
                        + address.getHostAddress() + "); Polymux connects only to public addresses unless an operator allows the host "
                        + "(polymux.connectors.allowed-private-hosts).");
            }
        }
        return addresses;
    }

    /** Whether an address is one Polymux must not connect to without an operator's allowance. */
    public boolean refused(InetAddress address) {
        for (AddressRange allowed : allowedRanges) {
            if (allowed.contains(address)) {
                return false;
            }
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress() || (address instanceof Inet6Address v6 && v6.getScopeId() != 0)) {
            return true;
        }
        for (AddressRange range : blocked) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
