package dev.polymux.registry.listing.rest;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The endpoints from before the listing API keep working as aliases of it; their answers say so, with a Deprecation
 * header (RFC 9745, the date they became aliases) and a Link to the successor path (rel="successor-version"), so a
 * client can move before they are removed.
 */
public class LegacyEndpoints {

    /** 2026-12-03T00:00:00Z, when the listing API replaced them. */
    static final String DEPRECATION = "@1796256000";

    private record Alias(Pattern legacy, String successor) {
    }

    private static final List<Alias> ALIASES = List.of(
            new Alias(Pattern.compile("^/tenants/([^/]+)/connectors/(.+)$"), "/tenants/$1/listings/connection/$2"),
            new Alias(Pattern.compile("^/tenants/([^/]+)/connectors/?$"), "/tenants/$1/listings?type=connection"),
            new Alias(Pattern.compile("^/tenants/([^/]+)/plugins/?$"), "/tenants/$1/listings"),
            new Alias(Pattern.compile("^/reviews/connectors/(.+)$"), "/reviews/listings/connection/$1"),
            new Alias(Pattern.compile("^/reviews/connectors/?$"), "/reviews/listings?type=connection"));

    @ServerResponseFilter
    public void markLegacy(ContainerRequestContext request, ContainerResponseContext response) {
        String successor = successorOf(request.getUriInfo().getPath());
        if (successor != null) {
            response.getHeaders().putSingle("Deprecation", DEPRECATION);
            response.getHeaders().add("Link", "<" + successor + ">; rel=\"successor-version\"");
        }
    }

    /** The listing API path that replaces {@code path}, or null when {@code path} is not a legacy one. */
    static String successorOf(String path) {
        for (Alias alias : ALIASES) {
            Matcher matcher = alias.legacy().matcher(path);
            if (matcher.matches()) {
                return matcher.replaceFirst(alias.successor());
            }
        }
        return null;
    }
}
