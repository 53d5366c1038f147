package dev.polymux.console.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.polymux.console.config.ConsoleConfig;

/**
 * What every request and answer gets: a POST is refused unless its Origin is the console's own (besides the csrf
 * value of session forms and SameSite=Strict on the cookie); pages are not cached, framed or scripted from elsewhere.
 */
public class Filters {

    private final List<String> allowedOrigins;
    private final boolean localSignIn;
    private final List<String> allowedHosts;

    public Filters(ConsoleConfig config) {
        this.allowedOrigins = config.allowedOrigins().orElse(List.of()).stream().map(Filters::normalise).toList();
        this.localSignIn = config.signIn() == ConsoleConfig.SignInMode.LOCAL;
        List<String> hosts = new java.util.ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]"));
        allowedOrigins.forEach(origin -> hosts.add(hostOf(origin)));
        config.publicUrl().ifPresent(url -> hosts.add(hostOf(normalise(url.toString()))));
        this.allowedHosts = List.copyOf(hosts);
    }

    /**
     * Where anyone can sign in as anyone (local sign-in), only loopback names and the configured origins are answered:
     * a site whose name is re-pointed at 127.0.0.1 (DNS rebinding) sends Origin and Host that agree with each other.
     */
    @ServerRequestFilter(priority = 100)
    public void loopbackOnlyForLocalSignIn(ContainerRequestContext request) {
        if (!localSignIn) {
            return;
        }
        String host = request.getHeaderString("Host");
        String name = host == null ? "" : hostOf("http://" + host.trim().toLowerCase(Locale.ROOT));
        if (!allowedHosts.contains(name)) {
            throw new FormRefused("With local sign-in this console answers on localhost only; add its public origin to "
                    + "polymux.console.allowed-origins to reach it by another name.");
        }
    }

    /** The host of an origin (scheme://host[:port]), lower case; IPv6 in brackets. */
    private static String hostOf(String origin) {
        try {
            URI uri = URI.create(origin);
            return uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    @ServerRequestFilter
    public void sameOriginPosts(ContainerRequestContext request) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        if (origin == null) {
            // Browsers send Origin with every POST; a client without it must still bring the session's csrf value.
            return;
        }
        String own = normalise(request.getUriInfo().getBaseUri().toString());
        String presented = normalise(origin);
        if (!presented.equals(own) && !allowedOrigins.contains(presented)) {
            throw new FormRefused("This form was sent from another site; the console accepts its own forms only.");
        }
    }

    @ServerResponseFilter
    public void headers(ContainerResponseContext response) {
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        headers.putSingle("X-Frame-Options", "DENY");
        headers.putSingle("X-Content-Type-Options", "nosniff");
        // Not no-referrer: with it, browsers send "Origin: null" on the console's own form posts, which are then refused.
        headers.putSingle("Referrer-Policy", "same-origin");
        headers.add("Vary", "HX-Request, HX-Target"); // one address, a full page or an htmx fragment
        if (!headers.containsKey("Cache-Control")) {
            headers.putSingle("Cache-Control", "no-store");
        }
    }

    /** scheme://host[:port], lower case, without a default port or path. "null" (opaque origins) stays "null". */
    static String normalise(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return origin.trim().toLowerCase(Locale.ROOT);
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return origin.trim().toLowerCase(Locale.ROOT);
        }
    }
}
