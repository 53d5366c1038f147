package dev.polymux.console.installation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.polymux.console.signin.service.SessionStore;
import dev.polymux.console.support.LocalSigningKey;
import dev.polymux.testing.logging.LogCapture;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The second and third slices' forms (review decisions, install, a vault connection's values, uninstall, OAuth
 * Connect, an integration's setup step, a draft's edit) are the console's own:
 * without the session's csrf value, with another's, or from another Origin, each is refused before any service is
 * called; a pasted value is never echoed back or logged, even when the services cannot be reached.
 */
@QuarkusTest
@WithTestResource(LocalSigningKey.class)
class NewFormsCsrfTest {

    private static final String ORIGIN = "http://localhost:18185";
    private static final Pattern COOKIE = Pattern.compile("__Host-polymux_console=([A-Za-z0-9_-]{43});.*");
    private static final String VALUE = "sk_test_never_echoed_4f2a9c";
    private static final Map<String, Map<String, String>> FORMS = Map.of(
            "/integrations/review/plugin/console-keys/1.1.0", Map.of("action", "approve", "note", "fine"),
            "/integrations/installations", Map.of("pluginId", "console-keys"),
            "/integrations/installations/uninstall", Map.of("pluginId", "console-keys"),
            "/integrations/installations/inst-1/credentials", Map.of("field.value", VALUE),
            "/integrations/installations/inst-1/connect", Map.of("installation", "inst-1"), // any field: a form body
            "/integrations/installations/inst-1/setup/test-connection", Map.of("field.password", VALUE),
            "/integrations/publish/plugin/console-keys/1.0.0", Map.of("manifest", "{}", "action", "draft"));

    @Inject
    SessionStore store;

    private static String signIn(String tenant, String subject, String... roles) {
        var request = given().redirects().follow(false).header("Origin", ORIGIN).formParam("tenant", tenant).formParam("subject", subject);
        for (String role : roles) {
            request = request.formParam("role", role);
        }
        Matcher cookie = COOKIE.matcher(request.post("/signin").header("Set-Cookie"));
        assertTrue(cookie.matches());
        return cookie.group(1);
    }

    private static Response post(String path, String session, String csrf, String origin, Map<String, String> fields) {
        var request = given().redirects().follow(false).cookie(dev.polymux.console.web.Sessions.COOKIE, session);
        if (origin != null) {
            request = request.header("Origin", origin);
        }
        if (csrf != null) {
            request = request.formParam("csrf", csrf);
        }
        for (Map.Entry<String, String> field : fields.entrySet()) {
            request = request.formParam(field.getKey(), field.getValue());
        }
        return request.post(path);
    }

    @Test
    void everyNewFormNeedsTheSessionsCsrfValueAndItsOwnOrigin() {
        String mine = signIn("polymux", "rita", "reviewer", "installer");
        String csrf = store.find(mine).orElseThrow().csrf();
        String other = signIn("globex", "ivan", "installer");
        String othersCsrf = store.find(other).orElseThrow().csrf();
        try (LogCapture log = LogCapture.start()) {
            for (Map.Entry<String, Map<String, String>> form : FORMS.entrySet()) {
                String path = form.getKey();
                for (String presented : new String[] { null, "", othersCsrf, csrf.substring(1) }) {
                    Response refused = post(path, mine, presented, ORIGIN, form.getValue());
                    assertEquals(403, refused.statusCode(), path + " with csrf " + presented);
                    assertTrue(refused.asString().contains("This form is out of date or did not come from the console"), path);
                    assertTrue(!refused.asString().contains(VALUE), path);
                }
                Response foreign = post(path, mine, csrf, "https://evil.example", form.getValue());
                assertEquals(403, foreign.statusCode(), path + " from another origin");
                assertTrue(foreign.asString().contains("sent from another site"), path);
                // Without a session: to the sign-in page, nothing done.
                Response signedOut = post(path, "made-up", csrf, ORIGIN, form.getValue());
                assertEquals(303, signedOut.statusCode(), path);
            }
            // With the right csrf value the form goes through to the services (unreachable here): a sentence, never the value.
            post("/integrations/installations/inst-1/credentials", mine, csrf, ORIGIN, Map.of("field.value", VALUE))
                    .then().statusCode(503).body(containsString("cannot be reached"), not(containsString(VALUE)));
            post("/integrations/installations/inst-1/setup/test-connection", mine, csrf, ORIGIN, Map.of("field.password", VALUE))
                    .then().statusCode(503).body(containsString("cannot be reached"), not(containsString(VALUE)));
            assertEquals(List.of(), log.linesContaining(VALUE), "a pasted value is never logged");
        }
    }

    /** oauth-service sends the browser back through the provider's site, without the Strict cookie: no session needed, nothing raw passed on. */
    @Test
    void theReturnPageNeedsNoSessionAndPassesOnlyCheckedParameters() {
        given().redirects().follow(false).queryParam("polymux_status", "connected").queryParam("installation", "inst-1")
                .queryParam("message", "<b id=\"x\">Connected.</b>").get("/integrations/installations/returned").then().statusCode(200)
                .body(containsString("url=/integrations/installations?polymux_status=connected&amp;installation=inst-1&amp;message=%3Cb+id%3D%22x%22%3EConnected.%3C%2Fb%3E#connection-inst-1"),
                        not(containsString("<b id")));
        given().redirects().follow(false).queryParam("polymux_status", "connected").queryParam("installation", "../signout")
                .get("/integrations/installations/returned").then().statusCode(200)
                .body(containsString("url=/integrations/installations\""), not(containsString("signout\"")));
    }

    @Test
    void theNavigationShowsReviewToReviewersAndInstallationsToInstallers() {
        String author = signIn("acme", "ada", "author");
        given().cookie(dev.polymux.console.web.Sessions.COOKIE, author).get("/integrations/publish").then().statusCode(200)
                .body(not(containsString("href=\"/integrations/review\"")), not(containsString("href=\"/integrations/installations\"")));
        String both = signIn("polymux", "rita", "reviewer", "installer");
        given().cookie(dev.polymux.console.web.Sessions.COOKIE, both).get("/integrations/publish").then().statusCode(200)
                .body(containsString("href=\"/integrations/review\""), containsString("href=\"/integrations/installations\""));
    }
}
