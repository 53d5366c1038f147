package dev.polymux.console.marketplace.rest;

import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.polymux.console.marketplace.service.ConnectorDetail;
import dev.polymux.console.marketplace.service.MarketView;
import dev.polymux.console.marketplace.service.MarketplaceService;
import dev.polymux.console.marketplace.service.PluginDetail;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * The marketplace: Connections and Plugins tabs, a connector's page, a plugin's page. Every page is a full page on a
 * plain GET; htmx asks for the tab panel or the results only (HX-Target), for search as you type.
 */
@Path(MarketView.BASE)
@Blocking
@Produces(MediaType.TEXT_HTML)
public class MarketplaceResource {

    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+");
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    @CheckedTemplate(basePath = "marketplace")
    static class Templates {
        static native TemplateInstance page(ConsoleSession session, MarketView view);

        static native TemplateInstance panel(MarketView view);

        static native TemplateInstance results(MarketView view);

        static native TemplateInstance connector(ConsoleSession session, ConnectorDetail connector);

        static native TemplateInstance plugin(ConsoleSession session, PluginDetail plugin);
    }

    private final MarketplaceService marketplace;
    private final Sessions sessions;

    public MarketplaceResource(MarketplaceService marketplace, Sessions sessions) {
        this.marketplace = marketplace;
        this.sessions = sessions;
    }

    @GET
    public TemplateInstance tab(@CookieParam(Sessions.COOKIE) String cookie, @QueryParam("tab") String tab, @QueryParam("q") String q,
            @QueryParam("kind") String kind, @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("20") int size,
            @HeaderParam("HX-Target") String target, @HeaderParam("HX-History-Restore-Request") String restore) {
        ConsoleSession session = sessions.require(cookie);
        String text = q == null || q.isBlank() ? null : q.trim();
        if (text != null && text.length() > 100) {
            throw new ServiceProblem(400, "Search for at most 100 characters.", java.util.List.of());
        }
        String kindFilter = kind == null || kind.isBlank() ? null : kind;
        if (kindFilter != null && !MarketplaceService.KINDS.contains(kindFilter)) {
            throw new ServiceProblem(400, "The kind is vault, oauth or integration.", java.util.List.of());
        }
        MarketView view = marketplace.tab(session, "plugins".equals(tab) ? "plugins" : "connections", kindFilter, text, Math.max(0, page),
                Math.min(100, Math.max(1, size)));
        if (restore == null && "results".equals(target)) {
            return Templates.results(view);
        }
        if (restore == null && "panel".equals(target)) {
            return Templates.panel(view);
        }
        return Templates.page(session, view);
    }

    @GET
    @Path("/connectors/{id}")
    public TemplateInstance connector(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("id") String id,
            @QueryParam("version") String version) {
        ConsoleSession session = sessions.require(cookie);
        return Templates.connector(session, marketplace.connector(session, checkedId(id), checkedVersion(version)));
    }

    @GET
    @Path("/plugins/{id}")
    public TemplateInstance plugin(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("id") String id,
            @QueryParam("version") String version) {
        ConsoleSession session = sessions.require(cookie);
        return Templates.plugin(session, marketplace.plugin(session, checkedId(id), checkedVersion(version)));
    }

    /** Only ids and versions as manifests have them reach the registry's URLs. */
    private static String checkedId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new ServiceProblem(404, "There is no such listing in the marketplace.", java.util.List.of());
        }
        return id;
    }

    private static String checkedVersion(String version) {
        if (version == null || version.isBlank()) {
            return null;
        }
        if (!VERSION.matcher(version).matches()) {
            throw new ServiceProblem(400, "A version is three numbers, e.g. 1.0.0.", java.util.List.of());
        }
        return version;
    }
}
