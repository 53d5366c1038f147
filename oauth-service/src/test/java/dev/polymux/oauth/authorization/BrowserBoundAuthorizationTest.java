package dev.polymux.oauth.authorization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.authorization.repository.AuthorizationRequestRepository;
import dev.polymux.oauth.authorization.service.StateKeys;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Connections.Browser;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.logging.LogCapture;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The callback is bound to the browser that started the flow (RFC 9700 section 4.7): authorize answers
 * oauth-service's start URL, which puts a random binder in that browser's cookie and redirects to the provider; a
 * callback arriving in any other browser is refused with a sentence, and nothing is stored.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class BrowserBoundAuthorizationTest {

    private static final String BASE = "http://localhost:18182";
    private static final String RETURN = "https://app.polymux.test/connections";
    private static final String ANOTHER_BROWSER = "This connection was started in another browser (or the link was opened elsewhere). "
            + "Start connecting again from the app, in this browser.";

    @Inject
    AuthorizationRequestRepository requests;

    @Test
    void aProviderLinkCompletedInAnotherBrowserIsRefusedStoresNothingAndTheStartingBrowserStillConnects() throws Exception {
        String id = Connections.installed("hooli", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        URI link = Connections.startUrl("hooli", id, RETURN);
        String state = Connections.query(link).get("state");
        String stateHash = StateKeys.hash(state);
        URI callbackPath = URI.create(BASE + "/oauth/callback");

        try (LogCapture logs = LogCapture.start(); Stored stored = new Stored();
                KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            Browser installers = new Browser();
            URI provider = installers.toProvider(link);
            List<HttpCookie> binding = installers.cookiesFor(callbackPath);
            assertEquals(1, binding.size(), "the start URL gave the browser its binding cookie: " + binding);
            String binder = binding.get(0).getValue();

            // The installer hands the provider link to someone else, who allows access in their own browser.
            Browser someoneElses = new Browser();
            HttpResponse<String> refused = someoneElses.get(someoneElses.allow(provider));
            assertEquals(400, refused.statusCode(), "a callback without the start's cookie: " + refused.body());
            assertEquals(ANOTHER_BROWSER, json(refused).path("detail").asText());
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            assertFalse(refused.body().contains(state), "the problem does not quote the state");

            // A browser holding a cookie of that name, with another value.
            Browser forged = new Browser();
            forged.setCookie(callbackPath, "polymux_oauth_" + stateHash.substring(0, 16) + "=" + StateKeys.newState() + "; Path=/oauth");
            HttpResponse<String> alsoRefused = forged.get(forged.allow(provider));
            assertEquals(400, alsoRefused.statusCode(), alsoRefused.body());
            assertEquals(ANOTHER_BROWSER, json(alsoRefused).path("detail").asText());

            stored.assertNothingFor("hooli", id, events);
            assertEquals(Boolean.TRUE, Stored.request(stateHash, "used_at is null", Boolean.class), "the state is not consumed");

            // The browser that opened the start URL completes the same link.
            HttpResponse<String> landed = installers.get(installers.allow(provider));
            assertEquals(303, landed.statusCode(), landed.body());
            assertTrue(landed.headers().firstValue("Location").orElseThrow()
                    .startsWith(RETURN + "?polymux_status=connected&installation=" + id));
            String cleared = landed.headers().allValues("Set-Cookie").stream()
                    .filter(header -> header.startsWith("polymux_oauth_" + stateHash.substring(0, 16) + "=")).findFirst()
                    .orElseThrow(() -> new AssertionError("the callback clears the binding cookie: " + landed.headers().map()));
            assertTrue(attributes(cleared).contains("max-age=0"), cleared);
            assertTrue(installers.cookiesFor(callbackPath).isEmpty(), "the browser dropped it: " + installers.cookiesFor(callbackPath));

            JsonNode authorized = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.GRANT_AUTHORIZED.equals(json.path("type").asText()));
            assertEquals("hooli", authorized.path("data").path("tenantId").asText());
            assertFalse(stored.tokens("hooli", id).getAccessToken().isEmpty());
            assertEquals("installer-hooli", Stored.connectedBy(id), "the grant records who connected it");

            for (String secret : List.of(state, binder)) {
                assertEquals(List.of(), logs.linesContaining(secret), "no log line holds the state or the binder");
            }
        }
    }

    @Test
    void theStartUrlSetsAShortLivedHttpOnlyLaxCookieThenRedirectsToTheProviderAndWorksOnce() {
        String id = Connections.installed("hooli", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        URI link = Connections.startUrl("hooli", id, null);
        String state = Connections.query(link).get("state");
        assertEquals(BASE + "/oauth/start?state=" + state, link.toString(), "authorize answers oauth-service's own start URL");
        assertEquals(43, state.length(), "256 random bits, base64url");
        String stateHash = StateKeys.hash(state);

        Browser browser = new Browser();
        HttpResponse<String> started = browser.get(link);
        assertEquals(303, started.statusCode(), started.body());
        URI provider = URI.create(started.headers().firstValue("Location").orElseThrow());
        assertTrue(provider.toString().startsWith(AuthorizationServer.server().authorizationEndpointUrl(AuthorizationServer.ISSUER).toString()),
                provider.toString());
        Map<String, String> query = Connections.query(provider);
        assertEquals(state, query.get("state"));
        assertEquals("S256", query.get("code_challenge_method"), "PKCE");
        assertEquals(BASE + "/oauth/callback", query.get("redirect_uri"));
        assertTrue(started.headers().firstValue("Cache-Control").orElse("").contains("no-store"));

        List<String> setCookies = started.headers().allValues("Set-Cookie");
        assertEquals(1, setCookies.size(), setCookies.toString());
        String header = setCookies.get(0);
        String pair = header.split(";", 2)[0];
        assertEquals("polymux_oauth_" + stateHash.substring(0, 16), pair.substring(0, pair.indexOf('=')));
        String binder = pair.substring(pair.indexOf('=') + 1);
        assertEquals(43, binder.length(), "256 random bits, base64url");
        assertNotEquals(state, binder);
        Set<String> attributes = attributes(header);
        assertTrue(attributes.contains("httponly"), header);
        assertTrue(attributes.contains("samesite=lax"), header);
        assertTrue(attributes.contains("path=/oauth"), header);
        assertFalse(attributes.contains("secure"), "plain http in tests (polymux.oauth.secure-cookies=false): " + header);
        long maxAge = attributes.stream().filter(a -> a.startsWith("max-age=")).mapToLong(a -> Long.parseLong(a.substring(8))).findFirst()
                .orElseThrow(() -> new AssertionError("no Max-Age: " + header));
        assertTrue(maxAge > 590 && maxAge <= 600, "as long as the link is valid (10 minutes): " + maxAge);

        String binderHash = Stored.request(stateHash, "browser_binder_hash", String.class);
        assertNotNull(binderHash, "the start recorded the binder's hash");
        assertFalse(binderHash.contains(binder), "only a hash of the binder is stored");
        assertEquals(Boolean.TRUE, Stored.request(stateHash, "started_at is not null", Boolean.class));

        // A start link works once: not again in this browser, nor in another.
        HttpResponse<String> again = browser.get(link);
        assertEquals(400, again.statusCode(), again.body());
        assertTrue(json(again).path("detail").asText().contains("opened already"), again.body());
        assertTrue(again.headers().allValues("Set-Cookie").isEmpty(), "no second cookie");
        HttpResponse<String> elsewhere = new Browser().get(link);
        assertEquals(400, elsewhere.statusCode(), elsewhere.body());
        assertTrue(json(elsewhere).path("detail").asText().contains("opened already"), elsewhere.body());
        assertTrue(elsewhere.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    }

    @Test
    void unknownExpiredAndIncompleteStartLinksAreRefusedInWords() {
        String id = Connections.installed("hooli", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        URI link = Connections.startUrl("hooli", id, null);
        // Ten minutes pass.
        OnVertxContext.await(() -> Panache.withTransaction(() -> requests.update("expiresAt = ?1 where stateHash = ?2",
                Instant.now().minusSeconds(1), StateKeys.hash(Connections.query(link).get("state")))));
        Browser browser = new Browser();
        assertRefused(browser.get(link), "expired");
        assertRefused(browser.get(URI.create(BASE + "/oauth/start?state=not-ours")), "not one of ours");
        assertRefused(browser.get(URI.create(BASE + "/oauth/start")), "no state");
        assertTrue(browser.cookiesFor(URI.create(BASE + "/oauth/callback")).isEmpty(), "no cookie for a refused start");
    }

    @Test
    void aCallbackForALinkThatWasNeverOpenedIsRefusedAndStoresNothing() throws Exception {
        String id = Connections.installed("hooli", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        // Someone builds the provider's redirect from the link's state without opening the link.
        String state = Connections.query(Connections.startUrl("hooli", id, null)).get("state");
        try (Stored stored = new Stored(); KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            HttpResponse<String> refused = new Browser().get(URI.create(BASE + "/oauth/callback?state=" + state + "&code=any-code"));
            assertEquals(400, refused.statusCode(), refused.body());
            assertEquals(ANOTHER_BROWSER, json(refused).path("detail").asText());
            stored.assertNothingFor("hooli", id, events);
        }
    }

    private static void assertRefused(HttpResponse<String> response, String why) {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), response.headers().map().toString());
        assertTrue(json(response).path("detail").asText().contains(why), response.body());
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty(), "no cookie for a refused start");
    }

    /** A Set-Cookie header's attributes after the name=value pair, lower case, without spaces. */
    private static Set<String> attributes(String setCookie) {
        return Arrays.stream(setCookie.split(";")).skip(1).map(a -> a.trim().toLowerCase().replace(" ", "")).collect(Collectors.toSet());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return KafkaEvents.parse(response.body());
    }
}
