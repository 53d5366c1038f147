package dev.polymux.oauth.installation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.testing.kafka.ExtendedCloudEvents;
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
import io.restassured.http.ContentType;

/**
 * Both installation events oauth-service consumes, as any CloudEvents 1.0 producer may send them (dataschema,
 * tracestate, a custom extension, no time): the installation can be authorized, and its removal ends the grant.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class InstallationEventsWithExtensionsTest {

    private static final String TENANT = "extended-oauth";

    @Test
    void installationEventsWithExtensionsAndNoTimeAreAppliedAndRemovalRevokesTheGrant() throws Exception {
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/registry-service", ConnectionEventTypes.INSTALLATION_CREATED, id, """
                {"tenantId":"%s","installationId":"%s","pluginId":"oauth-test","pluginVersion":"1.0.0","connectionKey":"acme",
                 "kind":"oauth","connectorId":"acme-oauth","status":"pending","connectorVersion":"1.0.0","scopes":["read"],
                 "connectorManifest":%s}""".formatted(TENANT, id, AuthorizationServer.manifest("acme-oauth")));
        // authorize answers 404 while oauth-service does not know the installation; vault-service (which keeps the
        // tokens) reads the same event.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> given().port(VaultServiceChild.port)
                .header("Authorization", Connections.installer(TENANT)).get("/tenants/" + TENANT + "/credentials/" + id).asString()
                .contains("No values are stored") && given()
                .header("Authorization", Connections.installer(TENANT)).contentType(ContentType.JSON).body("{}")
                .post("/tenants/" + TENANT + "/installations/" + id + "/authorize").statusCode() == 200);
        Connections.connect(TENANT, id);

        try (Tokens tokens = new Tokens(RestAssured.port); KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            tokens.accessToken(TENANT, id, 1);
            ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/registry-service", ConnectionEventTypes.INSTALLATION_REMOVED, id, """
                    {"tenantId":"%s","installationId":"%s","pluginId":"oauth-test","connectionKey":"acme","kind":"oauth",
                     "connectorId":"acme-oauth","status":"revoked"}""".formatted(TENANT, id));
            JsonNode revoked = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.GRANT_REVOKED.equals(json.path("type").asText()));
            assertEquals("The plugin was uninstalled.", revoked.path("data").path("reason").asText());
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken(TENANT, id, 1));
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        }
    }
}
