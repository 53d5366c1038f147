package dev.polymux.oauth.grant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.logging.LogCapture;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * A provider that revokes the grant (its token endpoint answers invalid_grant; WireMock, since a real server cannot
 * be told to): the installation breaks with the connector's sentence, on the real broker, and reconnecting restores it.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class BrokenGrantTest {

    private static final String SENTENCE = "Access to Acme was revoked; reconnect the connection.";
    private static WireMockServer provider;

    @BeforeAll
    static void startProvider() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
    }

    @AfterAll
    static void stopProvider() {
        provider.stop();
    }

    @Test
    void aRevokedGrantBreaksTheInstallationWithTheSentenceAndReconnectingRestoresIt() throws Exception {
        try (LogCapture logs = LogCapture.start(); KafkaEvents all = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            breakAndReconnect();
            // No token ever reaches a log line (DEBUG included) or an event.
            List<String> events = all.allMatching(r -> true, Duration.ofSeconds(2)).stream().map(r -> r.value()).toList();
            for (String token : List.of("at-first", "rt-first", "at-second", "rt-second")) {
                assertEquals(List.of(), logs.linesContaining(token), "log lines holding " + token);
                assertTrue(events.stream().noneMatch(event -> event.contains(token)), "events holding " + token);
            }
            assertTrue(events.size() >= 3, "the scan saw the grant's events: " + events.size());
        }
    }

    private void breakAndReconnect() throws Exception {
        String id = Connections.installed("tyrell", "acme-quirky", manifest());
        tokenEndpoint(200, "{\"access_token\":\"at-first\",\"refresh_token\":\"rt-first\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        callback(id);

        try (Tokens tokens = new Tokens(RestAssured.port); KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            assertEquals("at-first", tokens.accessToken("tyrell", id, 60).getAccessToken());

            // The provider revokes the grant; dispatch reports the token rejected, and the next call must refresh.
            tokenEndpoint(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");
            assertTrue(tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder()
                    .setTenantId("tyrell").setInstallationId(id).setAccessToken("at-first").build()).getInvalidated());
            assertTrue(!tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder()
                    .setTenantId("tyrell").setInstallationId(id).setAccessToken("at-older").build()).getInvalidated(),
                    "a token that is not the current one changes nothing");

            StatusRuntimeException broken = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken("tyrell", id, 60));
            assertEquals(Status.Code.FAILED_PRECONDITION, broken.getStatus().getCode());
            assertEquals(SENTENCE, broken.getStatus().getDescription());

            JsonNode event = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.GRANT_BROKEN.equals(json.path("type").asText()));
            assertEquals(SENTENCE, event.path("data").path("reason").asText());
            assertEquals("invalid_grant", event.path("data").path("providerError").asText());
            EventSchemas.assertMatchesItsSchema(event);
            StatusRuntimeException still = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken("tyrell", id, 0));
            assertEquals(Status.Code.FAILED_PRECONDITION, still.getStatus().getCode(), "no provider call for a broken grant");

            // Reconnect: authorize again, same installation id.
            tokenEndpoint(200, "{\"access_token\":\"at-second\",\"refresh_token\":\"rt-second\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            callback(id);
            events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.GRANT_AUTHORIZED.equals(json.path("type").asText())
                    && json.path("time").asText().compareTo(event.path("time").asText()) >= 0);
            assertEquals("at-second", tokens.accessToken("tyrell", id, 60).getAccessToken());
            assertEquals("rt-second", tokens.stored("tyrell", id).getRefreshToken());
        }
    }

    private static void callback(String id) {
        String state = Connections.query(Connections.authorizeUrl("tyrell", id, null)).get("state");
        given().queryParams(Map.of("state", state, "code", "any-code")).get("/oauth/callback").then().statusCode(200)
                .body("status", equalTo("connected"));
    }

    private static void tokenEndpoint(int status, String body) {
        provider.resetAll();
        provider.stubFor(post(urlEqualTo("/token"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static String manifest() {
        return """
                {"id":"acme-quirky","version":"1.0.0","label":"Acme","kind":"oauth",
                 "auth":{"authorizationUrl":"%s/authorize","tokenUrl":"%s/token","scopes":["read"],"pkce":true,
                   "brokenGrantMessage":"%s"},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(provider.baseUrl(), provider.baseUrl(), SENTENCE);
    }
}
