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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.signin.service.LocalSignIn;
import dev.polymux.console.signin.service.OidcSignIn;
import dev.polymux.console.signin.service.SessionStore;
import dev.polymux.console.signin.service.SignInBinding;
import dev.polymux.console.web.FormRefused;
import dev.polymux.console.web.Onward;
import dev.polymux.console.web.Sessions;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.RefreshToken;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * Sign-in and sign-out: the local stack's page (LocalSignIn), or the platform's issuer (OidcSignIn: the code flow
 * runs on /signin/oidc); with neither configured the page says so. Tokens stay in the server-side session: the
 * browser gets an opaque cookie.
 */
@Path("/")
@Blocking
@Produces(MediaType.TEXT_HTML)
public class SignInResource {

    private static final String HOME = "/integrations/marketplace";

    @CheckedTemplate(basePath = "signin")
    static class Templates {
        static native TemplateInstance page(String mode, String problem, String tenant, String subject, List<String> picked,
                List<String> allRoles);
    }

    private final LocalSignIn local;
    private final OidcSignIn oidc;
    private final SessionStore store;
    private final Sessions sessions;
    private final AccessTokenCredential accessToken;
    private final RefreshToken refreshToken;

    public SignInResource(LocalSignIn local, OidcSignIn oidc, SessionStore store, Sessions sessions, AccessTokenCredential accessToken,
            RefreshToken refreshToken) {
        this.local = local;
        this.oidc = oidc;
        this.store = store;
        this.sessions = sessions;
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
    }

    @GET
    public Response home(@CookieParam(Sessions.COOKIE) String cookie) {
        boolean signedIn = store.find(cookie).isPresent();
        return Response.seeOther(URI.create(signedIn ? HOME : "/signin")).build();
    }

    @GET
    @Path("signin")
    public TemplateInstance page() {
        return Templates.page(mode(), null, "acme", "", List.of("author"), LocalSignIn.ROLES);
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
            return page(400, "local", problem, tenant, subject, picked);
        }
        sessions.signOut(previous); // a new session id on every sign-in: no fixation
        ConsoleSession session = local.signIn(trimmedTenant, trimmedSubject, picked);
        return Response.seeOther(URI.create(HOME)).header("Set-Cookie", sessions.cookie(session)).build();
    }

    /**
     * Where the issuer's code flow starts and ends (quarkus-oidc, PKCE): reached without a session, quarkus-oidc sends
     * the browser to the issuer; back with the code, it checks state, nonce and tokens; this checks the state is the
     * one this browser left with ({@link SignInBinding}) and makes the session. The
     * answer is an onward page, not a redirect: the request came from the issuer's site, so a redirect would be cross-site
     * and the new SameSite=Strict cookie would not go with it.
     */
    @GET
    @Path("signin/oidc")
    @Authenticated
    public Response signInWithTheIssuer(@QueryParam("state") String state, @CookieParam(SignInBinding.COOKIE) String binding,
            @CookieParam(Sessions.COOKIE) String previous) {
        if (!oidc.enabled()) {
            throw new NotFoundException();
        }
        if (!SignInBinding.matches(state, binding)) {
            return Response.fromResponse(page(403, "oidc", "This sign-in was not started in this browser; sign in again.", null, null, List.of()))
                    .header("Set-Cookie", SignInBinding.deleted()).build();
        }
        ConsoleSession session;
        try {
            session = oidc.signIn(accessToken.getToken(), refreshToken.getToken());
        } catch (OidcSignIn.Refused refused) {
            return Response.fromResponse(page(403, "oidc", refused.getMessage(), null, null, List.of())).header("Set-Cookie", SignInBinding.deleted())
                    .build();
        }
        sessions.signOut(previous); // a new session id on every sign-in: no fixation
        return Response.fromResponse(Onward.to(HOME, "Signed in", "Continue to the marketplace")).header("Set-Cookie", sessions.cookie(session))
                .header("Set-Cookie", SignInBinding.deleted()).build();
    }

    @POST
    @Path("signout")
    public Response signOut(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf) {
        sessions.requireForm(cookie, csrf);
        sessions.signOut(cookie);
        return Response.seeOther(URI.create("/signin")).header("Set-Cookie", sessions.deleted()).build();
    }

    private String mode() {
        if (local.enabled()) {
            return "local";
        }
        return oidc.enabled() ? "oidc" : "none";
    }

    private static Response page(int status, String mode, String problem, String tenant, String subject, List<String> picked) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.page(mode, problem, tenant, subject, picked, LocalSignIn.ROLES).render()).build();
    }
}
