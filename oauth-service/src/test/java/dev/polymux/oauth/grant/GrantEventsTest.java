package dev.polymux.oauth.grant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** What happens to a grant is said: refreshes are counted per connector, and an uninstalled grant is announced revoked. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class GrantEventsTest {

    @Test
    void refreshesAreCountedPerConnectorAndAnUninstalledGrantIsAnnouncedRevoked() throws Exception {
        String id = Connections.installed("umbrella", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        Connections.connect("umbrella", id);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            AccessToken first = tokens.accessToken("umbrella", id, 1);
            // The provider rejected it: the next caller gets a refreshed one, and the refresh is counted.
            tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder().setTenantId("umbrella")
                    .setInstallationId(id).setAccessToken(first.getAccessToken()).build());
            assertNotEquals(first.getAccessToken(), tokens.accessToken("umbrella", id, 1).getAccessToken());
            given().port(19282).get("/q/metrics").then().statusCode(200)
                    .body(containsString("polymux_oauth_refreshes_total{connector=\"acme-oauth\",outcome=\"refreshed\"}"));

            try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
                KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                        {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                         "datacontenttype":"application/json","data":{"tenantId":"umbrella","installationId":"%s","pluginId":"oauth-test",
                         "connectionKey":"acme","kind":"oauth","connectorId":"acme-oauth","status":"revoked"}}"""
                        .formatted(UUID.randomUUID(), ConnectionEventTypes.INSTALLATION_REMOVED, id, Instant.now(), id),
                        Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
                JsonNode revoked = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                        && ConnectionEventTypes.GRANT_REVOKED.equals(json.path("type").asText()));
                assertEquals("The plugin was uninstalled.", revoked.path("data").path("reason").asText());
                assertEquals("acme-oauth", revoked.path("data").path("connectorId").asText());
                EventSchemas.assertMatchesItsSchema(revoked);
            }
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken("umbrella", id, 1));
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        }
    }
}
