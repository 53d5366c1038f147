package dev.polymux.console.installation.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;

import dev.polymux.console.config.ConsoleConfig;
import dev.polymux.console.installation.client.AuthorizeView;
import dev.polymux.console.installation.client.CheckView;
import dev.polymux.console.installation.client.InstallationView;
import dev.polymux.console.installation.service.InstallationService;
import dev.polymux.console.installation.service.InstallationsPage;
import dev.polymux.console.installation.service.SetupValues;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.Onward;
import dev.polymux.console.web.ServiceProblem;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * The Installations tab: install a plugin (from its marketplace page), a card per connection with its status, the
 * form of a vault connection's shape, Connect (and Reconnect) of an OAuth connection through the provider, the forms
 * of an integration's setup steps, uninstall. Pasted values go to vault-service (or, for a setup step, oauth-service)
 * and are never shown again: after storing, the card shows the vault's metadata only.
 */
@Path(InstallationResource.BASE)
@Blocking
@Produces(MediaType.TEXT_HTML)
public class InstallationResource {

    public static final String BASE = "/integrations/installations";
    static final String RETURNED = "/returned";
    private static final Pattern PLUGIN_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern INSTALLATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern STEP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final int MAX_VALUE = 16 * 1024;
    /** The provider's return sentence comes from the address bar: shown as text only, cut to this. */
    private static final int MAX_RETURN_MESSAGE = 300;

    @CheckedTemplate(basePath = "installation")
    static class Templates {
        static native TemplateInstance page(ConsoleSession session, InstallationsPage view);

        /** One connection's status line: what a pending card's polling fetches. */
        static native TemplateInstance status(InstallationView installation);
    }

    private final InstallationService installations;
    private final Sessions sessions;
    private final ConsoleConfig config;

    public InstallationResource(InstallationService installations, Sessions sessions, ConsoleConfig config) {
        this.installations = installations;
        this.sessions = sessions;
        this.config = config;
    }

    /**
     * The page; {@code polymux_status}, {@code installation} and {@code message} are what oauth-service's callback adds
     * when it sends the browser back. Anyone can make such a link, so the sentence is shown as text (escaped), cut
     * short, only on the card of one of the session's own OAuth connections, and the status shown is the registry's.
     */
    @GET
    public TemplateInstance page(@CookieParam(Sessions.COOKIE) String cookie, @QueryParam("installed") String installed,
            @QueryParam("stored") String stored, @QueryParam("uninstalled") String uninstalled,
            @QueryParam("polymux_status") String returned, @QueryParam("installation") String installation,
            @QueryParam("message") String message) {
        ConsoleSession session = sessions.require(cookie);
        String notice = installed != null && PLUGIN_ID.matcher(installed).matches() ? "Installed " + installed + ": connect each connection below."
                : uninstalled != null && PLUGIN_ID.matcher(uninstalled).matches() ? "Uninstalled " + uninstalled + "; its stored values are being deleted."
                        : stored != null && INSTALLATION_ID.matcher(stored).matches() ? "Stored. The vault keeps the values; the console does not."
                                : null;
        if (("connected".equals(returned) || "failed".equals(returned)) && installation != null && INSTALLATION_ID.matcher(installation).matches()) {
            String sentence = returnSentence(returned, message);
            return "connected".equals(returned) ? view(session, null, null, installation, sentence, notice)
                    : view(session, installation, sentence, null, null, notice);
        }
        return view(session, null, null, notice);
    }

    /** A connection's status line, for the polling of a pending card (an htmx fragment; the registry's status). */
    @GET
    @Path("/{installationId}/status")
    public Response status(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("installationId") String installationId) {
        ConsoleSession session = sessions.require(cookie);
        if (!INSTALLATION_ID.matcher(installationId).matches()) {
            throw new NotFoundException();
        }
        return render(200, Templates.status(installations.installation(session, installationId)));
    }

    /**
     * Where oauth-service's callback sends the browser. That navigation comes through the provider (another site), so
     * the browser leaves out the SameSite=Strict session cookie: this page needs no session and sends the browser on,
     * from the console's own page now, to the Installations page with the (checked, shortened) return parameters.
     */
    @GET
    @Path(RETURNED)
    public Response returned(@QueryParam("polymux_status") String returned, @QueryParam("installation") String installation,
            @QueryParam("message") String message) {
        String status = "connected".equals(returned) ? "connected" : "failed";
        if (installation == null || !INSTALLATION_ID.matcher(installation).matches()) {
            return back(BASE);
        }
        return back(BASE + "?polymux_status=" + status + "&installation=" + installation + "&message="
                + URLEncoder.encode(returnSentence(status, message), StandardCharsets.UTF_8) + "#connection-" + installation);
    }

    private static Response back(String target) {
        return Onward.to(target, "Back from the provider", "Continue to your installations");
    }

    /**
     * Connect (or Reconnect) an OAuth connection: oauth-service's authorize link, with the return page as the return
     * URL, and the browser sent there: oauth-service binds the callback to a cookie it sets on that link. Not a 303:
     * the pages' CSP {@code form-action 'self'} also holds for a form's redirects, so a page the console answers with
     * sends the browser on (meta refresh) to oauth-service and from there to the provider.
     */
    @POST
    @Path("/{installationId}/connect")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response connect(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @PathParam("installationId") String installationId,
            @Context UriInfo uri) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        if (!INSTALLATION_ID.matcher(installationId).matches()) {
            throw new NotFoundException();
        }
        AuthorizeView link;
        try {
            link = installations.connect(session, installationId, returnUrl(uri));
        } catch (ServiceProblem refused) { // e.g. 404 right after install, 503 no OAuth client registered: its sentence on the card
            return render(refused.status() >= 400 && refused.status() < 600 ? refused.status() : 502,
                    view(session, installationId, refused.detail(), null));
        } catch (jakarta.ws.rs.ProcessingException unreachable) {
            return render(503, view(session, installationId, "The services cannot be reached right now; try again in a moment.", null));
        }
        if (link.connected() || link.authorizeUrl() == null) { // client credentials: connected without a person's consent
            return Response.seeOther(URI.create(BASE + "?polymux_status=connected&installation=" + installationId + "#connection-" + installationId))
                    .build();
        }
        URI authorize = URI.create(link.authorizeUrl());
        if (!authorize.isAbsolute() || !("https".equals(authorize.getScheme()) || "http".equals(authorize.getScheme()))) {
            return render(502, view(session, installationId, "oauth-service answered with a link the console will not follow.", null));
        }
        return Onward.to(authorize.toString(), "On to the provider", "Continue to the provider's sign-in");
    }

    /**
     * An integration's setup step: the form's values, as the JSON types the step's fields declare, go to oauth-service
     * (stored only if the check passed), never echoed back. A value not of its field's type (a whole number, a number,
     * a box's "true", one of a choice's values) is a sentence on the card naming the field; nothing is sent then.
     */
    @POST
    @Path("/{installationId}/setup/{stepId}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setUp(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("installationId") String installationId,
            @PathParam("stepId") String stepId, MultivaluedMap<String, String> form) {
        ConsoleSession session = sessions.requireForm(cookie, form.getFirst("csrf"));
        if (!INSTALLATION_ID.matcher(installationId).matches() || !STEP_ID.matcher(stepId).matches()) {
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
        CheckView checked;
        try {
            checked = installations.check(session, installationId, stepId, values);
        } catch (SetupValues.NotConvertible notOfItsType) { // e.g. "Port must be a whole number.": the field's label, never the value
            return render(400, view(session, installationId, notOfItsType.getMessage(), null));
        } catch (ServiceProblem refused) { // 400 naming a field, 409 another submission, 503 a check that did not answer
            return render(refused.status() >= 400 && refused.status() < 600 ? refused.status() : 502,
                    view(session, installationId, refused.detail(), null));
        } catch (jakarta.ws.rs.ProcessingException unreachable) {
            return render(503, view(session, installationId, "The services cannot be reached right now; try again in a moment.", null));
        }
        String sentence = checked.message() != null ? checked.message() : checked.passed() ? "The step passed." : "The step did not pass.";
        if (!checked.passed()) {
            return render(200, view(session, installationId, sentence, null, null, null));
        }
        return render(200, view(session, null, null, installationId, sentence + (checked.setupComplete() ? " Setup is complete." : ""), null));
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
        return view(session, problemOf, problem, null, null, notice, pageProblem);
    }

    private TemplateInstance view(ConsoleSession session, String problemOf, String problem, String noticeOf, String cardNotice, String notice) {
        return view(session, problemOf, problem, noticeOf, cardNotice, notice, null);
    }

    private TemplateInstance view(ConsoleSession session, String problemOf, String problem, String noticeOf, String cardNotice, String notice,
            String pageProblem) {
        try {
            return Templates.page(session, new InstallationsPage(installations.groups(session, problemOf, problem, noticeOf, cardNotice), pageProblem,
                    notice));
        } catch (ServiceProblem refused) { // e.g. no installer role: the registry's sentence
            return Templates.page(session, new InstallationsPage(List.of(), refused.detail(), notice));
        }
    }

    /** The return page's absolute address: the configured public URL, else the request's base URI. */
    private String returnUrl(UriInfo uri) {
        String base = config.publicUrl().map(URI::toString).orElse(uri.getBaseUri().toString());
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + BASE + RETURNED;
    }

    /** The provider's return sentence as plain text: no control characters, at most {@value #MAX_RETURN_MESSAGE} characters. */
    static String returnSentence(String status, String message) {
        String text = message == null ? "" : message.replaceAll("\\p{Cntrl}", " ").strip();
        if (text.length() > MAX_RETURN_MESSAGE) {
            text = text.substring(0, MAX_RETURN_MESSAGE) + "…";
        }
        if (text.isEmpty()) {
            text = "connected".equals(status) ? "Connected." : "The provider did not connect this connection.";
        }
        return text;
    }

    private static Response render(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page.render()).build();
    }
}
