package dev.polymux.console.signin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.signin.service.ConsoleSession;
import dev.polymux.console.signin.service.SessionStore;
import dev.polymux.console.web.Sessions;
import dev.polymux.console.support.LocalSigningKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Local sign-in and the session: an opaque cookie with its flags, a token that stays on the server, forms that are
 * the console's own (Origin and the session's csrf value), sign-out that ends the session.
 */
@QuarkusTest
@WithTestResource(LocalSigningKey.class)
class SignInTest {

    static final String ORIGIN = "http://localhost:18185";
    private static final Pattern COOKIE = Pattern.compile("__Host-polymux_console=([A-Za-z0-9_-]{43}); Path=/; Max-Age=(\\d+); HttpOnly; SameSite=Strict; Secure");

    @Inject
    SessionStore store;

    static Response signIn(String tenant, String subject, String... roles) {
        var request = given().redirects().follow(false).header("Origin", ORIGIN).formParam("tenant", tenant).formParam("subject", subject);
        for (String role : roles) {
            request = request.formParam("role", role);
        }
        return request.post("/signin");
    }

    static String sessionId(Response signedIn) {
        Matcher cookie = COOKIE.matcher(signedIn.header("Set-Cookie"));
        assertTrue(cookie.matches(), "Set-Cookie: " + signedIn.header("Set-Cookie"));
        return cookie.group(1);
    }

    @Test
    void signingInSetsAnOpaqueHttpOnlyStrictSecureCookieAndKeepsTheTokenOnTheServer() throws Exception {
        Response signedIn = signIn("acme", "ada", "author", "installer");
        assertEquals(303, signedIn.statusCode());
        assertTrue(signedIn.header("Location").endsWith("/integrations/marketplace"));
        Matcher cookie = COOKIE.matcher(signedIn.header("Set-Cookie"));
        assertTrue(cookie.matches(), "Set-Cookie: " + signedIn.header("Set-Cookie"));
        long maxAge = Long.parseLong(cookie.group(2));
        assertTrue(maxAge > 3500 && maxAge <= 3600, "the cookie lasts as long as the token: " + maxAge);

        ConsoleSession session = store.find(cookie.group(1)).orElseThrow();
        assertFalse(session.token().contains(cookie.group(1)), "the cookie is not derived from the token");
        // The claims LocalTokens mints, signed RS256 with the local key, short-lived.
        String[] jwt = session.token().split("\\.");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(LocalSigningKey.rsaPublicKey());
        rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(jwt[2])));
        JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[0]));
        assertEquals("RS256", header.path("alg").asText());
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[1]));
        assertEquals("ada", claims.path("sub").asText());
        assertEquals("acme", claims.path("tenant").asText());
        assertEquals(LocalSigningKey.ISSUER, claims.path("iss").asText());
        assertEquals(List.of("author", "installer"), List.of(claims.path("groups").get(0).asText(), claims.path("groups").get(1).asText()));
        long exp = claims.path("exp").asLong();
        assertTrue(Math.abs(exp - Instant.now().plusSeconds(3600).getEpochSecond()) < 60, "exp in an hour: " + exp);
    }

    @Test
    void theTokenAppearsInNoPageAndNoHeader() {
        Response signedIn = signIn("acme", "grace", "author");
        String id = sessionId(signedIn);
        ConsoleSession session = store.find(id).orElseThrow();
        String token = session.token();
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertNoToken(signedIn, token, signature);
        for (String path : List.of("/", "/signin", "/integrations/marketplace", "/integrations/marketplace?tab=plugins",
                "/integrations/marketplace/connectors/github", "/integrations/publish", "/integrations/publish/plugin/x/1.0.0")) {
            Response page = given().redirects().follow(false).cookie(Sessions.COOKIE, id).get(path);
            assertNoToken(page, token, signature);
        }
        Response htmx = given().cookie(Sessions.COOKIE, id).header("HX-Request", "true").header("HX-Target", "results")
                .get("/integrations/marketplace?q=git");
        assertNoToken(htmx, token, signature);
        Response published = given().redirects().follow(false).cookie(Sessions.COOKIE, id).header("Origin", ORIGIN)
                .multiPart("csrf", session.csrf()).multiPart("type", "plugin").multiPart("manifest", "{\"id\":\"x\"}").multiPart("action", "submit")
                .post("/integrations/publish");
        assertNoToken(published, token, signature);
        Response signedOut = given().redirects().follow(false).cookie(Sessions.COOKIE, id).header("Origin", ORIGIN)
                .formParam("csrf", session.csrf()).post("/signout");
        assertNoToken(signedOut, token, signature);
    }

    private static void assertNoToken(Response response, String token, String signature) {
        String body = response.asString();
        assertFalse(body.contains(token) || body.contains(signature), "the token is in the page of " + response.statusCode());
        assertFalse(body.contains("eyJ"), "something JWT-like is in a page: " + body);
        response.headers().forEach(h -> assertFalse(h.getValue().contains(signature) || h.getValue().contains("eyJ"), "the token is in " + h.getName()));
    }

    @Test
    void aPostFromAnotherOriginIsRefused() {
        given().redirects().follow(false).header("Origin", "https://evil.example").formParam("tenant", "acme").formParam("subject", "mallory")
                .formParam("role", "admin").post("/signin")
                .then().statusCode(403).header("Set-Cookie", nullValue()).body(containsString("from another site"));
        // Even with the session's cookie and its csrf value (as a page of another site could not read them anyway).
        String id = sessionId(signIn("acme", "ada", "author"));
        ConsoleSession session = store.find(id).orElseThrow();
        given().redirects().follow(false).cookie(Sessions.COOKIE, id).header("Origin", "http://localhost.evil.example:18185")
                .formParam("csrf", session.csrf()).post("/signout").then().statusCode(403);
        assertTrue(store.find(id).isPresent(), "a refused sign-out leaves the session");
    }

    @Test
    void aRenamedHostIsRefusedWhileAnyoneCanSignInAsAnyone() {
        // DNS rebinding: evil.example is re-pointed to 127.0.0.1, so its page's Origin and Host agree, and would pass a
        // check of one against the other. Local sign-in answers loopback names (and configured origins) only.
        given().redirects().follow(false).header("Host", "evil.example:18185").header("Origin", "http://evil.example:18185")
                .formParam("tenant", "polymux").formParam("subject", "mallory").formParam("role", "reviewer").post("/signin")
                .then().statusCode(403).header("Set-Cookie", nullValue());
        given().redirects().follow(false).header("Host", "evil.example:18185").get("/signin").then().statusCode(403);
    }

    @Test
    void signInWithoutAnOriginIsRefused() {
        given().redirects().follow(false).formParam("tenant", "acme").formParam("subject", "ada").formParam("role", "author").post("/signin")
                .then().statusCode(403).header("Set-Cookie", nullValue());
    }

    @Test
    void aSessionFormWithoutItsCsrfValueIsRefused() {
        String id = sessionId(signIn("acme", "ada", "author"));
        given().redirects().follow(false).cookie(Sessions.COOKIE, id).header("Origin", ORIGIN).post("/signout")
                .then().statusCode(403).body(containsString("reload the page"));
        given().redirects().follow(false).cookie(Sessions.COOKIE, id).header("Origin", ORIGIN).formParam("csrf", "forged")
                .formParam("type", "plugin").formParam("manifest", "{}").post("/integrations/publish")
                .then().statusCode(403);
        // another session's csrf value is no better
        ConsoleSession other = store.find(sessionId(signIn("acme", "eve", "author"))).orElseThrow();
        given().redirects().follow(false).cookie(Sessions.COOKIE, id).formParam("csrf", other.csrf()).post("/signout").then().statusCode(403);
        assertTrue(store.find(id).isPresent());
    }

    @Test
    void signingOutEndsTheSessionAndDeletesTheCookie() {
        String id = sessionId(signIn("acme", "ada", "author"));
        ConsoleSession session = store.find(id).orElseThrow();
        given().redirects().follow(false).cookie(Sessions.COOKIE, id).header("Origin", ORIGIN).formParam("csrf", session.csrf()).post("/signout")
                .then().statusCode(303).header("Location", containsString("/signin"))
                .header("Set-Cookie", equalTo("__Host-polymux_console=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"));
        assertTrue(store.find(id).isEmpty());
        given().redirects().follow(false).cookie(Sessions.COOKIE, id).get("/integrations/publish")
                .then().statusCode(303).header("Location", containsString("/signin"));
    }

    @Test
    void signingInAgainGivesANewSessionAndEndsTheOldOne() {
        String first = sessionId(signIn("acme", "ada", "author"));
        Response again = given().redirects().follow(false).header("Origin", ORIGIN).cookie(Sessions.COOKIE, first)
                .formParam("tenant", "acme").formParam("subject", "ada").formParam("role", "reviewer").post("/signin");
        String second = sessionId(again);
        assertFalse(first.equals(second));
        assertTrue(store.find(first).isEmpty());
    }

    @Test
    void aWrongSignInFormIsShownAsASentence() {
        given().redirects().follow(false).header("Origin", ORIGIN).formParam("tenant", "Not A Tenant").formParam("subject", "ada")
                .formParam("role", "author").post("/signin")
                .then().statusCode(400).header("Set-Cookie", nullValue()).body(containsString("The tenant is lower-case letters"));
        given().redirects().follow(false).header("Origin", ORIGIN).formParam("tenant", "acme").formParam("subject", "ada")
                .formParam("role", "service").post("/signin")
                .then().statusCode(400).body(containsString("Pick roles among author, reviewer, installer, admin."));
    }

    @Test
    void pagesWithoutASessionGoToSignIn() {
        given().redirects().follow(false).get("/integrations/marketplace").then().statusCode(303).header("Location", containsString("/signin"));
        given().redirects().follow(false).cookie(Sessions.COOKIE, "made-up").get("/integrations/publish").then().statusCode(303);
        // htmx would swap the sign-in page into the current one: it is told to go there instead.
        given().header("HX-Request", "true").get("/integrations/marketplace").then().statusCode(200).header("HX-Redirect", "/signin");
    }

    @Test
    void aServiceThatCannotBeReachedIsASentence() {
        String id = sessionId(signIn("acme", "ada", "author"));
        given().cookie(Sessions.COOKIE, id).get("/integrations/marketplace")
                .then().statusCode(503).body(containsString("The registry cannot be reached right now"), not(containsString("Exception")));
        given().cookie(Sessions.COOKIE, id).get("/integrations/publish")
                .then().statusCode(200).body(containsString("The registry cannot be reached right now"), containsString("Manifest (JSON)"));
    }
}
