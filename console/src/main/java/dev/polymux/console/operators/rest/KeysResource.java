package dev.polymux.console.operators.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;

import dev.polymux.console.operators.client.KeyStatusView;
import dev.polymux.console.operators.client.VaultKeysClient;
import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.web.ServiceProblem;
import dev.polymux.console.web.Sessions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;

/**
 * The operators' Keys page: vault-service's key-encryption keys (ids and how many data keys each wraps), rotate to a
 * new primary, rewrap now. vault-service decides who may (admins of the platform tenant); its refusal is its sentence.
 * Retiring a key stays with deploy/local/keys and the API: it is rare and wants the id typed on purpose.
 */
@Path(KeysResource.BASE)
@Blocking
@Produces(MediaType.TEXT_HTML)
public class KeysResource {

    static final String BASE = "/integrations/operators/keys";

    @CheckedTemplate(basePath = "operators")
    static class Templates {
        static native TemplateInstance keys(ConsoleSession session, KeyStatusView status, String problem, String done);
    }

    private final VaultKeysClient vault;
    private final Sessions sessions;

    public KeysResource(@RestClient VaultKeysClient vault, Sessions sessions) {
        this.vault = vault;
        this.sessions = sessions;
    }

    @GET
    public TemplateInstance page(@CookieParam(Sessions.COOKIE) String cookie, @QueryParam("done") String done) {
        ConsoleSession session = sessions.require(cookie);
        String shown = "rotated".equals(done) || "rewrapped".equals(done) ? done : null;
        try {
            return Templates.keys(session, vault.status(session.bearer()), null, shown);
        } catch (ServiceProblem refused) {
            return Templates.keys(session, null, refused.detail(), null);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response act(@CookieParam(Sessions.COOKIE) String cookie, @RestForm String csrf, @RestForm String action) {
        ConsoleSession session = sessions.requireForm(cookie, csrf);
        try {
            switch (action == null ? "" : action) {
                case "rotate" -> vault.rotate(session.bearer());
                case "rewrap" -> vault.rewrap(session.bearer());
                default -> {
                    return render(400, session, null, "Choose Rotate or Rewrap.");
                }
            }
        } catch (ServiceProblem refused) {
            return render(refused.status() >= 400 && refused.status() < 600 ? refused.status() : 502, session, null, refused.detail());
        }
        return Response.seeOther(URI.create(BASE + "?done=" + ("rotate".equals(action) ? "rotated" : "rewrapped"))).build();
    }

    private static Response render(int status, ConsoleSession session, KeyStatusView keys, String problem) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(Templates.keys(session, keys, problem, null).render())
                .build();
    }
}
