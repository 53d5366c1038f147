package dev.polymux.console.web;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * A page that sends the browser on by itself (meta refresh, no script), with a link for the rest. Used where a
 * redirect will not do: the pages' CSP {@code form-action 'self'} also holds for a form's redirects, and a redirect
 * at the end of a chain that began on another site (the provider, the issuer) is itself cross-site, so the session
 * cookie (SameSite=Strict) would not go with it; a navigation the page starts is the console's own.
 */
public final class Onward {

    @CheckedTemplate(basePath = "web")
    static class Templates {
        static native TemplateInstance onward(String target, String title, String link);
    }

    private Onward() {
    }

    /** 200 with the onward page to {@code target}. */
    public static Response to(String target, String title, String link) {
        return Response.ok(Templates.onward(target, title, link).render(), MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }
}
