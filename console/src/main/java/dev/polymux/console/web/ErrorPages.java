package dev.polymux.console.web;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Every failure as a page with a sentence (or, for an htmx request, the sentence alone, swapped where the answer
 * was to go): a service's problem detail, "sign in", "not from here"; never a stack or a bare status.
 */
public class ErrorPages {

    private static final Logger LOG = Logger.getLogger(ErrorPages.class);

    @CheckedTemplate(basePath = "error")
    public static class Templates {
        public static native TemplateInstance page(String heading, String sentence, java.util.List<ServiceProblem.FieldError> errors);

        public static native TemplateInstance alert(String heading, String sentence, java.util.List<ServiceProblem.FieldError> errors);
    }

    @ServerExceptionMapper
    public Response signIn(SignInRequired e, HttpHeaders headers) {
        if (htmx(headers)) { // an htmx swap would put the sign-in page inside the current one: go there instead
            return Response.ok().header("HX-Redirect", "/signin").build();
        }
        return Response.seeOther(java.net.URI.create("/signin")).build();
    }

    @ServerExceptionMapper
    public Response refused(FormRefused e, HttpHeaders headers) {
        return page(403, "Not sent", e.getMessage(), java.util.List.of(), headers);
    }

    @ServerExceptionMapper
    public Response problem(ServiceProblem e, HttpHeaders headers) {
        int status = e.status() >= 400 && e.status() < 600 ? e.status() : 502;
        return page(status, "Could not do that", e.detail(), e.errors(), headers);
    }

    @ServerExceptionMapper
    public Response unreachable(ProcessingException e, HttpHeaders headers) {
        LOG.warnf("A service could not be reached: %s", e.getMessage());
        return page(503, "Unavailable", "The registry cannot be reached right now; try again in a moment.", java.util.List.of(), headers);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpHeaders headers) {
        int status = e.getResponse().getStatus();
        if (status >= 300 && status < 400) {
            return e.getResponse();
        }
        return page(status, status == 404 ? "Not found" : "Not possible", ProblemResponseMapper.fallback(status), java.util.List.of(), headers);
    }

    @ServerExceptionMapper
    public Response bug(RuntimeException e, HttpHeaders headers) {
        LOG.error("The console failed on a request", e);
        return page(500, "Something went wrong", "The console failed to show this page; try again, and tell the operators if it keeps failing.",
                java.util.List.of(), headers);
    }

    private static Response page(int status, String heading, String sentence, java.util.List<ServiceProblem.FieldError> errors, HttpHeaders headers) {
        TemplateInstance page = htmx(headers) ? Templates.alert(heading, sentence, errors) : Templates.page(heading, sentence, errors);
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page.render()).build();
    }

    static boolean htmx(HttpHeaders headers) {
        return "true".equals(headers.getHeaderString("HX-Request"));
    }
}
