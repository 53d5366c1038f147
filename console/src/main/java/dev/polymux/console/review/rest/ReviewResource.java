package dev.polymux.console.review.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

import dev.polymux.console.publish.client.ListingView;
import dev.polymux.console.review.service.ReviewDetail;
import dev.polymux.console.review.service.ReviewService;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * The Review tab: the queue (oldest first, by type), a version's page (manifest with findings beside their lines, the
 * diff against the approved version), approve or reject with a note. The registry decides who may: reviewers of the
 * platform tenant, never on a version they created; its refusal is shown as its sentence.
 */
@Path(ReviewService.BASE)
@Blocking
@Produces(MediaType.TEXT_HTML)
public class ReviewResource {

    private static final Pattern TYPE = Pattern.compile("connection|plugin");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+");
    private static final Pattern DECIDED = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}@[0-9]+\\.[0-9]+\\.[0-9]+");
    private static final int MAX_NOTE = 4000; // the registry's limit

    @CheckedTemplate(basePath = "review")
    static class Templates {
        static native TemplateInstance queue(ConsoleSession session, String type, List<ListingView> listings, String problem, String decided,
                String decision);

        static native TemplateInstance listing(ConsoleSession session, ReviewDetail review);
    }

    private final ReviewService reviews;
    private final Sessions sessions;

    public ReviewResource(ReviewService reviews, Sessions sessions) {
        this.reviews = reviews;
        this.sessions = sessions;
    }

    @GET
    public TemplateInstance queue(@CookieParam(Sessions.COOKIE) String cookie, @QueryParam("type") String type,
            @QueryParam("decided") String decided, @QueryParam("decision") String decision) {
        ConsoleSession session = sessions.require(cookie);
        String filter = type != null && TYPE.matcher(type).matches() ? type : null;
        String shownDecided = decided != null && DECIDED.matcher(decided).matches() ? decided : null;
        String shownDecision = "approved".equals(decision) || "rejected".equals(decision) ? decision : null;
        try {
            return Templates.queue(session, filter, reviews.queue(session, filter), null, shownDecided, shownDecision);
        } catch (ServiceProblem problem) { // e.g. not a reviewer of the platform tenant: the registry's sentence
            return Templates.queue(session, filter, List.of(), problem.detail(), shownDecided, shownDecision);
        }
    }

    @GET
    @Path("/{type}/{id}/{version}")
    public TemplateInstance listing(@CookieParam(Sessions.COOKIE) String cookie, @PathParam("type") String type, @PathParam("id") String id,
            @PathParam("version") String version) {
        ConsoleSession session = sessions.require(cookie);
        checked(type, id, version);
        return Templates.listing(session, reviews.detail(session, type, id, version));
    }

    @POST
    @Path("/{type}/{id}/{version}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @PathParam("type") String type,
            @PathParam("id") String id, @PathParam("version") String version, @RestForm String action, @RestForm String note) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        checked(type, id, version);
        ReviewDetail review = reviews.detail(session, type, id, version);
        String text = note == null || note.isBlank() ? null : note.strip();
        if (!"approve".equals(action) && !"reject".equals(action)) {
            return render(400, session, review.refused("Choose Approve or Reject.", List.of(), text));
        }
        if (text != null && text.length() > MAX_NOTE) {
            return render(400, session, review.refused("A note is at most " + MAX_NOTE + " characters.", List.of(), text));
        }
        ListingView decided;
        try {
            decided = "approve".equals(action) ? reviews.approve(session, review.listing(), text) : reviews.reject(session, review.listing(), text);
        } catch (ServiceProblem refused) { // e.g. 403 on one's own version, 400 a rejection without a note: the registry's sentence
            return render(refused.status() >= 400 && refused.status() < 600 ? refused.status() : 502, session,
                    review.refused(refused.detail(), refused.errors(), text));
        }
        return Response.seeOther(URI.create(ReviewService.BASE + "?decided=" + URLEncoder.encode(decided.id() + "@" + decided.version(),
                StandardCharsets.UTF_8) + "&decision=" + decided.state())).build();
    }

    private static Response render(int status, ConsoleSession session, ReviewDetail review) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(Templates.listing(session, review).render())
                .build();
    }

    private static void checked(String type, String id, String version) {
        if (!TYPE.matcher(type).matches() || !ID.matcher(id).matches() || !VERSION.matcher(version).matches()) {
            throw new NotFoundException();
        }
    }
}
