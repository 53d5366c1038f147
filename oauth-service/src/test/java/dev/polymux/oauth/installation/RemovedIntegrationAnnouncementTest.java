package dev.polymux.oauth.installation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.support.Connections;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * An integration uninstalled before oauth-service knew it (its installation event predates the service, or came without
 * a connector manifest) has no setup to undo here, yet vault-service keeps its values until "setup removed": that is
 * announced at once, with the tenant of the uninstall event, and the real vault-service beside it deletes the values.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(VaultServiceChild.class)
class RemovedIntegrationAnnouncementTest {

    private static final String SHAPE = "{\"kind\":\"tuple\",\"fields\":[{\"name\":\"api_key\",\"label\":\"API key\",\"secret\":true}]}";

    @Test
    void anUninstalledIntegrationOAuthServiceNeverKnewIsAnnouncedSetupRemovedAndItsValuesGo() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        // Known to vault-service (shape), not to oauth-service (no connector manifest): as if created before it tracked them.
        send(ConnectionEventTypes.INSTALLATION_CREATED, tenant, id, "integration", ",\"shape\":" + SHAPE);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> given().port(VaultServiceChild.port)
                .header("Authorization", Connections.installer(tenant)).get("/tenants/" + tenant + "/credentials/" + id).asString()
                .contains("No values are stored"));
        given().port(VaultServiceChild.port).header("Authorization", Connections.installer(tenant)).contentType(ContentType.JSON)
                .body("{\"api_key\":\"sk_never_known_1234\"}").put("/tenants/" + tenant + "/credentials/" + id).then().statusCode(200);
        given().header("Authorization", Connections.installer(tenant)).get("/tenants/" + tenant + "/installations/" + id + "/setup").then()
                .statusCode(404);

        ManagedChannel channel = GrpcChannels.open(VaultServiceChild.port);
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            GetSecretRequest uninstalled = GetSecretRequest.newBuilder().setTenantId(tenant).setInstallationId(id).setUninstalled(true)
                    .setPurpose("test").build();
            assertEquals("sk_never_known_1234", vault(channel).getSecret(GetSecretRequest.newBuilder().setTenantId(tenant).setInstallationId(id).build())
                    .getFieldsOrThrow("api_key").toString(StandardCharsets.UTF_8));

            send(ConnectionEventTypes.INSTALLATION_REMOVED, tenant, id, "integration", "");
            JsonNode removed = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.SETUP_REMOVED.equals(json.path("type").asText()));
            EventSchemas.assertMatchesItsSchema(removed);
            assertEquals(tenant, removed.path("data").path("tenantId").asText());
            assertEquals("webhook-test", removed.path("data").path("connectorId").asText());
            await().atMost(Duration.ofSeconds(20)).until(() -> outcome(() -> vault(channel).getSecret(uninstalled)).startsWith("NOT_FOUND: No values are stored"));
        } finally {
            GrpcChannels.close(channel);
        }
    }

    @Test
    void anUnknownOAuthInstallationsRemovalAnnouncesNoSetup() {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        String integration = "inst_" + UUID.randomUUID().toString().replace("-", "");
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            send(ConnectionEventTypes.INSTALLATION_REMOVED, tenant, id, "oauth", "");
            // An unknown integration's removal behind it on the same partition shows the oauth one was taken in.
            send(ConnectionEventTypes.INSTALLATION_REMOVED, tenant, integration, "integration", "", id);
            events.awaitCloudEvent(json -> integration.equals(json.path("subject").asText())
                    && ConnectionEventTypes.SETUP_REMOVED.equals(json.path("type").asText()));
            assertTrue(events.allMatching(r -> r.value().contains(id) && r.value().contains(ConnectionEventTypes.SETUP_REMOVED),
                    Duration.ofMillis(500)).isEmpty(), "an oauth connection has no setup");
        }
    }

    private static void send(String type, String tenant, String id, String kind, String extra) {
        send(type, tenant, id, kind, extra, id);
    }

    private static void send(String type, String tenant, String id, String kind, String extra, String key) {
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, key, """
                {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","pluginId":"oauth-test",
                 "pluginVersion":"1.0.0","connectionKey":"broker","kind":"%s","connectorId":"webhook-test","status":"%s"%s}}"""
                .formatted(UUID.randomUUID(), type, id, Instant.now(), tenant, id, kind,
                        ConnectionEventTypes.INSTALLATION_REMOVED.equals(type) ? "revoked" : "pending", extra),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
    }

    /** A stub per call: each has a deadline of 10 s from when it was made. */
    private static VaultServiceBlockingStub vault(ManagedChannel channel) {
        return GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("oauth-service"));
    }

    private static String outcome(Runnable call) {
        try {
            call.run();
            return "OK";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }
}
