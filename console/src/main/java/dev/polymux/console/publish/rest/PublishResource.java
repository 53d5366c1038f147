package dev.polymux.console.publish.rest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
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
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.publish.service.ManifestLines;
import dev.polymux.console.publish.service.PublishOutcome;
import dev.polymux.console.publish.service.PublishService;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * The Publish tab: paste (or upload) a manifest, save it as a draft or submit it, read every finding beside the line
 * it points to; the state of the tenant's own listings.
 */
@Path("/integrations/publish")
@Blocking
@Produces(MediaType.TEXT_HTML)
public class PublishResource {

    private static final Pattern TYPE = Pattern.compile("connection|plugin");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+");
    private static final int MAX_MANIFEST = 1024 * 1024; // the registry's body limit

    @CheckedTemplate(basePath = "publish")
    static class Templates {
        static native TemplateInstance page(ConsoleSession session, PublishOutcome form, List<ListingView> listings, String listingsProblem);

        static native TemplateInstance listing(ConsoleSession session, PublishOutcome outcome);
    }

    private final PublishService publishing;
    private final Sessions sessions;

    public PublishResource(PublishService publishing, Sessions sessions) {
        this.publishing = publishing;
        this.sessions = sessions;
    }

    @GET
    public TemplateInstance page(@CookieParam(Sessions.COOKIE) String cookie, @QueryParam("type") String type) {
        ConsoleSession session = sessions.require(cookie);
        return page(session, PublishOutcome.empty("connection".equals(type) ? "connection" : "plugin"));
    }

    @POST
    @Consumes({ MediaType.MULTIPART_FORM_DATA, MediaType.APPLICATION_FORM_URLENCODED })
    public Response publish(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @RestForm String type,
            @RestForm String manifest, @RestForm("file") FileUpload file, @RestForm String action) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        String listingType = type != null && TYPE.matcher(type).matches() ? type : null;
        String text = manifest == null ? "" : manifest;
        if (file != null && file.size() > 0) {
            if (file.size() > MAX_MANIFEST) {
                return render(400, page(session, problem(listingType, text, "The file is over 1 MiB; a manifest is smaller.")));
            }
            try {
                text = Files.readString(file.uploadedFile());
            } catch (IOException e) {
                return render(400, page(session, problem(listingType, text, "The file could not be read as UTF-8 text.")));
            }
        }
        if (listingType == null) {
            return render(400, page(session, problem("plugin", text, "Choose Connection or Plugin.")));
        }
        if (text.isBlank()) {
            return render(400, page(session, problem(listingType, text, "Paste a manifest or choose a file.")));
        }
        if (text.length() > MAX_MANIFEST) {
            return render(400, page(session, problem(listingType, text, "The manifest is over 1 MiB; a manifest is smaller.")));
        }
        PublishOutcome outcome = publishing.publish(session, listingType, text, "submit".equals(action));
        if (outcome.listing() == null) {
            return render(400, page(session, outcome));
        }
        if (outcome.problem() != null) {
            return render(422, Templates.listing(session, outcome));
        }
        return Response.seeOther(URI.create(outcome.listing().path())).build();
    }

    @GET
    @Path("/{type}/{id}/{version}")
    public TemplateInstance listing(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("type") String type, @PathParam("id") String id,
            @PathParam("version") String version) {
        ConsoleSession session = sessions.require(cookie);
        checked(type, id, version);
        ListingView listing = publishing.listing(session, type, id, version);
        String editable = listing.draft() ? PublishService.editable(listing) : null;
        return Templates.listing(session, new PublishOutcome(type, editable, listing, null, List.of(), ManifestLines.of(listing.manifest(), listing.findings())));
    }

    /** A draft's edited manifest: saved (and submitted, when asked); a refusal shows its sentence with the text kept. */
    @POST
    @Path("/{type}/{id}/{version}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response edit(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @PathParam("type") String type,
            @PathParam("id") String id, @PathParam("version") String version, @RestForm String manifest, @RestForm String action) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        checked(type, id, version);
        ListingView draft = publishing.listing(session, type, id, version);
        String text = manifest == null ? "" : manifest;
        if (text.isBlank() || text.length() > MAX_MANIFEST) {
            PublishOutcome refused = new PublishOutcome(type, text, draft, text.isBlank() ? "Paste a manifest." : "The manifest is over 1 MiB; a manifest is smaller.",
                    List.of(), ManifestLines.of(draft.manifest(), draft.findings()));
            return render(400, Templates.listing(session, refused));
        }
        PublishOutcome outcome = publishing.update(session, draft, text, "submit".equals(action));
        if (outcome.problem() != null) {
            return render(422, Templates.listing(session, outcome));
        }
        return Response.seeOther(URI.create(outcome.listing().path())).build();
    }

    @POST
    @Path("/{type}/{id}/{version}/submit")
    public Response submit(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @PathParam("type") String type,
            @PathParam("id") String id, @PathParam("version") String version) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        checked(type, id, version);
        ListingView draft = publishing.listing(session, type, id, version);
        PublishOutcome outcome = publishing.submit(session, draft, null);
        if (outcome.problem() != null) {
            return render(422, Templates.listing(session, outcome));
        }
        return Response.seeOther(URI.create(outcome.listing().path())).build();
    }

    private TemplateInstance page(ConsoleSession session, PublishOutcome form) {
        try {
            return Templates.page(session, form, publishing.mine(session), null);
        } catch (ServiceProblem problem) { // e.g. no author role: the form still shows, with why the list does not
            return Templates.page(session, form, List.of(), problem.detail());
        } catch (jakarta.ws.rs.ProcessingException unreachable) {
            return Templates.page(session, form, List.of(), "The registry cannot be reached right now; try again in a moment.");
        }
    }

    private static PublishOutcome problem(String type, String text, String sentence) {
        return new PublishOutcome(type, text, null, sentence, List.of(), List.of());
    }

    private static void checked(String type, String id, String version) {
        if (!TYPE.matcher(type).matches() || !ID.matcher(id).matches() || !VERSION.matcher(version).matches()) {
            throw new NotFoundException();
        }
    }

    private static Response render(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page.render()).build();
    }
}
