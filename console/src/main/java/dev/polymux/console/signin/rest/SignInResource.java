package dev.polymux.console.signin.rest;

import java.net.URI;
import java.util.List;

import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.signin.service.LocalSignIn;
import dev.polymux.console.signin.service.SessionStore;
import dev.polymux.console.web.FormRefused;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * Sign-in and sign-out. Local mode only in this slice (LocalSignIn); with none configured the page says so. The
 * token stays in the server-side session: the browser gets an opaque cookie.
 */
@Path("/")
@Blocking
@Produces(MediaType.TEXT_HTML)
public class SignInResource {

    @CheckedTemplate(basePath = "signin")
    static class Templates {
        static native TemplateInstance page(boolean enabled, String problem, String tenant, String subject, List<String> picked,
                List<String> allRoles);
    }

    private final LocalSignIn local;
    private final SessionStore store;
    private final Sessions sessions;

    public SignInResource(LocalSignIn local, SessionStore store, Sessions sessions) {
        this.local = local;
        this.store = store;
        this.sessions = sessions;
    }

    @GET
    public Response home(@CookieParam(Sessions.COOKIE) String cookie) {
        boolean signedIn = store.find(cookie).isPresent();
        return Response.seeOther(URI.create(signedIn ? "/integrations/marketplace" : "/signin")).build();
    }

    @GET
    @Path("signin")
    public TemplateInstance page() {
        return Templates.page(local.enabled(), null, "acme", "", List.of("author"), LocalSignIn.ROLES);
    }

    @POST
    @Path("signin")
    public Response signIn(@RestForm String tenant, @RestForm String subject, @RestForm("role") List<String> roles,
            @HeaderParam("Origin") String origin, @CookieParam(Sessions.COOKIE) String previous) {
        if (!local.enabled()) {
            throw new NotFoundException();
        }
        if (origin == null) { // no session yet, so no csrf value: the Origin (checked by Filters) must be there
            throw new FormRefused("The sign-in form was sent without an Origin; the console accepts its own forms only.");
        }
        String trimmedTenant = tenant == null ? null : tenant.trim();
        String trimmedSubject = subject == null ? null : subject.trim();
        List<String> picked = roles == null ? List.of() : roles;
        String problem = LocalSignIn.problem(trimmedTenant, trimmedSubject, picked);
        if (problem != null) {
            return Response.status(400).type(MediaType.TEXT_HTML_TYPE)
                    .entity(Templates.page(true, problem, tenant, subject, picked, LocalSignIn.ROLES).render()).build();
        }
        sessions.signOut(previous); // a new session id on every sign-in: no fixation
        ConsoleSession session = local.signIn(trimmedTenant, trimmedSubject, picked);
        return Response.seeOther(URI.create("/integrations/marketplace")).header("Set-Cookie", sessions.cookie(session)).build();
    }

    @POST
    @Path("signout")
    public Response signOut(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf) {
        sessions.requireForm(cookie, csrf);
        sessions.signOut(cookie);
        return Response.seeOther(URI.create("/signin")).header("Set-Cookie", sessions.deleted()).build();
    }
}
