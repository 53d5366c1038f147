package dev.polymux.dispatch.connection;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A provider that keeps answering 401 to a stored key: after three rejections in a row the dispatcher publishes
 * dev.polymux.credentials.rejected.v1, the real registry shows the installation broken with its sentence, and the
 * installer's new key (through the real vault-service) makes it active again. A success in between ends the streak.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class CredentialRejectionsTest {

    private static final String SENTENCE = "Acme API rejected the stored key (HTTP 401); paste a new one.";

    @BeforeEach
    void platform() {
        Suite.published();
    }

    @Test
    void threeRejectionsBreakTheInstallationAndANewKeyMakesItActive() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        String key = "acme_revoked_" + UUID.randomUUID().toString().replace("-", "");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + key + "\"}");
        String widget = "rej-" + tenant.substring(2);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"invalid api key " + key + "\"}")));

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            for (int i = 0; i < 3; i++) {
                JsonNode result = call(tenant, widget);
                assertEquals("CREDENTIALS_REJECTED", result.path("data").path("error").path("code").asText(), result.toString());
            }
            JsonNode event = events.awaitCloudEvent(json -> ConnectionEventTypes.CREDENTIALS_REJECTED.equals(json.path("type").asText())
                    && id.equals(json.path("subject").asText()));
            EventSchemas.assertMatchesItsSchema(event);
            assertEquals(id, event.path("data").path("installationId").asText());
            assertEquals(tenant, event.path("data").path("tenantId").asText());
            assertEquals("acme-api", event.path("data").path("connector").asText());
            assertEquals(SENTENCE, event.path("data").path("reason").asText());
            assertFalse(event.toString().contains(key), "the event never carries the key");
        }
        Platform.awaitStatus(tenant, id, "broken");
        assertEquals(SENTENCE, given().port(RegistryServiceChild.port).header("Authorization", Platform.installer(tenant))
                .get("/tenants/" + tenant + "/installations/" + id).jsonPath().getString("statusReason"));

        Platform.storeCredentials(tenant, id, "{\"value\":\"acme_live_fresh_" + UUID.randomUUID().toString().replace("-", "") + "\"}");
        Platform.awaitStatus(tenant, id, "active");
    }

    @Test
    void aStoredKeyAnswered403IsARejectionToo() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"acme_forbidden_" + UUID.randomUUID().toString().replace("-", "") + "\"}");
        String widget = "forbidden-" + tenant.substring(2);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(403)));

        for (int i = 0; i < 3; i++) {
            JsonNode result = call(tenant, widget);
            assertEquals("CREDENTIALS_REJECTED", result.path("data").path("error").path("code").asText(), result.toString());
            assertTrue(result.path("data").path("error").path("message").asText().contains("HTTP 403"), result.toString());
        }
        Platform.awaitStatus(tenant, id, "broken");
    }

    @Test
    void aSuccessInBetweenEndsTheStreak() throws Exception {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"acme_flaky_" + UUID.randomUUID().toString().replace("-", "") + "\"}");
        String rejected = "flaky-" + tenant.substring(2);
        String fine = "fine-" + tenant.substring(2);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + rejected)).willReturn(aResponse().withStatus(401)));
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + fine)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"fine\"}")));

        for (String widget : new String[] {rejected, rejected, fine, rejected, rejected}) {
            call(tenant, widget);
        }
        Thread.sleep(3000); // an event, had one been published, reaches the registry within this
        given().port(RegistryServiceChild.port).header("Authorization", Platform.installer(tenant))
                .get("/tenants/" + tenant + "/installations/" + id).then().body("status", org.hamcrest.Matchers.equalTo("active"));
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode call(String tenant, String widget) {
        String callId = "call-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(ToolCalls.event(callId, tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + widget + "\"}",
                    Instant.now().plus(Duration.ofSeconds(30))));
            calls.flush();
            return results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }
    }
}
