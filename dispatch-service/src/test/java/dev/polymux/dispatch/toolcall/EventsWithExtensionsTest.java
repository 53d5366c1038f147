package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import dev.polymux.testing.kafka.ExtendedCloudEvents;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Both event types the dispatcher consumes, as any CloudEvents 1.0 producer may send them (dataschema, tracestate,
 * a custom extension, no time): a tool call is run, and a connection event drops what the dispatcher cached.
 * The same resources as {@link DispatchPipelineTest}, so the two share one app and one set of child services.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class EventsWithExtensionsTest {

    private static final String API_KEY = "acme_live_ExtendedEvents";

    @BeforeEach
    void platform() {
        Suite.published();
    }

    @Test
    void aToolCallWithExtensionsAndNoTimeIsRun() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/w-ext")).withHeader("X-Api-Key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"id\":\"w-ext\"}")));

        JsonNode result = call(tenant, true, "get_widget", "{\"id\":\"w-ext\"}");
        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        assertEquals("w-ext", result.path("data").path("output").path("id").asText());
    }

    @Test
    void aConnectionEventWithExtensionsAndNoTimeDropsTheCachedInstallation() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/w-cached")).withHeader("X-Api-Key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"id\":\"w-cached\"}")));
        JsonNode first = call(tenant, false, "get_widget", "{\"id\":\"w-cached\"}");
        assertEquals("succeeded", first.path("data").path("status").asText(), "the active installation is now cached: " + first);

        // As vault-service would announce a deletion, from another CloudEvents producer's hands: the registry marks the
        // installation pending, and the dispatcher must ask it again rather than run on its cached "active".
        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/vault-service", ConnectionEventTypes.CREDENTIALS_DELETED, id,
                "{\"tenantId\":\"" + tenant + "\"}");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode next = call(tenant, false, "get_widget", "{\"id\":\"w-cached\"}");
            assertEquals("CONNECTION_NOT_ACTIVE", next.path("data").path("error").path("code").asText(), next.toString());
        });
    }

    @Test
    void aToolCallWithAnInvalidAttributeNameIsAnsweredAsPoisonNotRun() {
        String tenant = tenant();
        String callId = "call-" + UUID.randomUUID();
        String event = extendedCall(callId, tenant, "get_widget", "{\"id\":\"w-never\"}").replace("\"partitionkey\"", "\"Partition_Key\"")
                .replace("\"datacontenttype\"", "\"time\":\"" + Instant.now() + "\",\"datacontenttype\"");
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(event);
            calls.flush();
            JsonNode result = results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
            assertEquals("failed", result.path("data").path("status").asText(), result.toString());
            assertEquals("INVALID_EVENT", result.path("data").path("error").path("code").asText(), result.toString());
            assertFalse(result.toString().contains("w-never"), "nothing of the call is echoed: " + result);
        }
    }

    private static String tenant() {
        return "t-ext-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A dev.polymux.tool.call.v1 with dataschema, tracing and a custom extension, and no time. */
    private static String extendedCall(String callId, String tenant, String tool, String arguments) {
        String data = """
                {"callId":"%s","tenantId":"%s","workflowRunId":"run-%s","pluginId":"%s","connectionKey":"acme","tool":"%s",
                 "arguments":%s,"deadline":"%s"}""".formatted(callId, tenant, callId, Suite.PLUGIN, tool, arguments, Instant.now().plusSeconds(30));
        return ExtendedCloudEvents.json("/workflow-engine/test", "dev.polymux.tool.call.v1", callId, data);
    }

    /** One call (with extensions, or as {@link ToolCalls#event} writes it) and its one result. */
    private static JsonNode call(String tenant, boolean extended, String tool, String arguments) {
        String callId = "call-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(extended ? extendedCall(callId, tenant, tool, arguments)
                    : ToolCalls.event(callId, tenant, Suite.PLUGIN, "acme", tool, arguments, Instant.now().plusSeconds(30)));
            calls.flush();
            return results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }
    }
}
