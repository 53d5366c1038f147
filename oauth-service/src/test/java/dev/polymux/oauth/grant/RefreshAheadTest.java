package dev.polymux.oauth.grant;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** 20-second tokens from a real OAuth2 server: refreshed ahead of every expiry, and a burst of callers makes one refresh. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class RefreshAheadTest {

    @Test
    void overSeveralLifetimesNoCallerEverGetsATokenThatIsNotValidForWhatItAsked() throws Exception {
        String id = Connections.installed("soylent", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        Connections.connect("soylent", id);
        Set<String> seen = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        Instant end = Instant.now().plusSeconds(3 * AuthorizationServer.ACCESS_TOKEN_SECONDS + 2);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            while (Instant.now().isBefore(end)) {
                AccessToken token = tokens.accessToken("soylent", id, 3);
                long remaining = token.getExpiresAt().getSeconds() - Instant.now().getEpochSecond();
                if (remaining < 3) {
                    problems.add("a token with " + remaining + " s left");
                }
                seen.add(token.getAccessToken());
                Thread.sleep(250);
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(seen.size() >= 4, "a new token every lifetime or so: " + seen.size());
    }

    @Test
    void fiftyCallersOfATokenAboutToExpireCauseOneRefreshAndTheRotatedRefreshTokenIsStored() throws Exception {
        String id = Connections.installed("soylent", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        Connections.connect("soylent", id);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            TokenSet before = tokens.stored("soylent", id);
            // Six seconds in, the token has ~14 s left: not enough for callers who need 15 s, not yet due for the scheduler.
            Thread.sleep(Duration.ofSeconds(6).toMillis());
            int callers = Integer.getInteger("burst.callers", 50);
            CyclicBarrier start = new CyclicBarrier(callers);
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                List<CompletableFuture<AccessToken>> calls = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return tokens.accessToken("soylent", id, 15);
                    }, pool));
                }
                Set<String> handedOut = new LinkedHashSet<>();
                calls.forEach(call -> handedOut.add(call.join().getAccessToken()));
                assertEquals(1, handedOut.size(), "every caller got the one new token");
                assertNotEquals(before.getAccessToken(), handedOut.iterator().next());
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, Tokens.refreshesWith(before.getRefreshToken()), "one provider call for the whole burst");
            TokenSet after = tokens.stored("soylent", id);
            assertEquals(before.getVersion() + 1, after.getVersion());
            assertNotEquals(before.getRefreshToken(), after.getRefreshToken(), "the rotated refresh token is the one stored");
            assertEquals(0, Tokens.refreshesWith(after.getRefreshToken()), "and it is unused so far");
        }
    }

    @Test
    void aClientCredentialsConnectorConnectsWithoutAPersonAndIsRequestedAnewAheadOfExpiry() {
        String manifest = """
                {"id":"acme-machine","version":"1.0.0","label":"Acme machine","kind":"oauth",
                 "auth":{"grantType":"client_credentials","tokenUrl":"%s","scopes":["openid"],"defaultScopes":["openid"],"refreshWindow":"PT8S"},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(AuthorizationServer.server().tokenEndpointUrl(AuthorizationServer.ISSUER));
        String id = Connections.installed("soylent", "acme-machine", manifest);
        given().header("Authorization", Connections.installer("soylent")).contentType(ContentType.JSON).body("{}")
                .post("/tenants/soylent/installations/" + id + "/authorize").then().statusCode(200)
                .body("connected", equalTo(true)).body("authorizeUrl", nullValue());
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            TokenSet first = tokens.stored("soylent", id);
            assertTrue(first.getRefreshToken().isEmpty(), "client credentials have no refresh token");
            assertEquals(first.getAccessToken(), tokens.accessToken("soylent", id, 5).getAccessToken());
            await().atMost(Duration.ofSeconds(30)).until(() -> tokens.stored("soylent", id).getVersion() > first.getVersion());
            assertNotEquals(first.getAccessToken(), tokens.stored("soylent", id).getAccessToken(), "a new token, requested anew");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
