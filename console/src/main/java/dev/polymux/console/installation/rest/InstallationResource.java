package dev.polymux.console.installation.rest;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import dev.polymux.console.installation.service.InstallationService;
import dev.polymux.console.installation.service.InstallationsPage;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * The Installations tab: install a plugin (from its marketplace page), a card per connection with its status, the
 * form of a vault connection's shape, uninstall. Pasted values go to vault-service and are never shown again: after
 * storing, the card shows the vault's metadata only.
 */
@Path(InstallationResource.BASE)
@Blocking
@Produces(MediaType.TEXT_HTML)
public class InstallationResource {

    public static final String BASE = "/integrations/installations";
    private static final Pattern PLUGIN_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern INSTALLATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final int MAX_VALUE = 16 * 1024;

    @CheckedTemplate(basePath = "installation")
    static class Templates {
        static native TemplateInstance page(ConsoleSession session, InstallationsPage view);
    }

    private final InstallationService installations;
    private final Sessions sessions;

    public InstallationResource(InstallationService installations, Sessions sessions) {
        this.installations = installations;
        this.sessions = sessions;
    }

    @GET
    public TemplateInstance page(@CookieParam(Sessions.COOKIE) String cookie, @QueryParam("installed") String installed,
            @QueryParam("stored") String stored, @QueryParam("uninstalled") String uninstalled) {
        ConsoleSession session = sessions.require(cookie);
        String notice = installed != null && PLUGIN_ID.matcher(installed).matches() ? "Installed " + installed + ": connect each connection below."
                : uninstalled != null && PLUGIN_ID.matcher(uninstalled).matches() ? "Uninstalled " + uninstalled + "; its stored values are being deleted."
                        : stored != null && INSTALLATION_ID.matcher(stored).matches() ? "Stored. The vault keeps the values; the console does not."
                                : null;
        return view(session, null, null, notice);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response install(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @RestForm String pluginId) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        if (pluginId == null || !PLUGIN_ID.matcher(pluginId).matches()) {
            throw new ServiceProblem(400, "There is no such plugin in the marketplace.", List.of());
        }
        installations.install(session, pluginId); // a refusal (not approved, no installer role) is the error page's sentence
        return Response.seeOther(URI.create(BASE + "?installed=" + pluginId + "#plugin-" + pluginId)).build();
    }

    @POST
    @Path("/uninstall")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response uninstall(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @RestForm String pluginId) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        if (pluginId == null || !PLUGIN_ID.matcher(pluginId).matches()) {
            throw new NotFoundException();
        }
        try {
            installations.uninstall(session, pluginId);
        } catch (ServiceProblem refused) {
            return render(refused.status(), view(session, null, null, null, refused.detail()));
        }
        return Response.seeOther(URI.create(BASE + "?uninstalled=" + pluginId)).build();
    }

    /** A vault connection's values: read by the shape's field names, passed on, never echoed back (not even on a refusal). */
    @POST
    @Path("/{installationId}/credentials")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response store(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("installationId") String installationId,
            MultivaluedMap<String, String> form) {
        ConsoleSession session = sessions.requireForm(cookie, form.getFirst("csrf"));
        if (!INSTALLATION_ID.matcher(installationId).matches()) {
            throw new NotFoundException();
        }
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, List<String>> field : form.entrySet()) {
            if (field.getKey().startsWith("field.") && !field.getValue().isEmpty()) {
                if (field.getValue().get(0).length() > MAX_VALUE) {
                    return render(400, view(session, installationId, "A value is at most 16 KiB.", null));
                }
                values.put(field.getKey(), field.getValue().get(0));
            }
        }
        try {
            installations.store(session, installationId, values);
        } catch (ServiceProblem refused) { // e.g. the vault's 404 right after install ("retry shortly"): its sentence on the card
            return render(refused.status() >= 400 && refused.status() < 600 ? refused.status() : 502,
                    view(session, installationId, refused.detail(), null));
        } catch (jakarta.ws.rs.ProcessingException unreachable) {
            return render(503, view(session, installationId, "The vault cannot be reached right now; try again in a moment.", null));
        }
        return Response.seeOther(URI.create(BASE + "?stored=" + installationId + "#connection-" + installationId)).build();
    }

    private TemplateInstance view(ConsoleSession session, String problemOf, String problem, String notice) {
        return view(session, problemOf, problem, notice, null);
    }

    private TemplateInstance view(ConsoleSession session, String problemOf, String problem, String notice, String pageProblem) {
        try {
            return Templates.page(session, new InstallationsPage(installations.groups(session, problemOf, problem), pageProblem, notice));
        } catch (ServiceProblem refused) { // e.g. no installer role: the registry's sentence
            return Templates.page(session, new InstallationsPage(List.of(), refused.detail(), notice));
        }
    }

    private static Response render(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page.render()).build();
    }
}
