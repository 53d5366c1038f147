package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tracing off (the default): nothing is recorded, and a call still goes on under the caller's trace id with a span id
 * of dispatch's own, never the caller's, in its result and its provider request alike.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class ToolCallTraceOffTest {

    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void platform() {
        Suite.published();
    }

    @Test
    void withTracingOffTheCallersTraceGoesOnUnderASpanIdOfOurOwnAndNothingIsExported() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"acme_live_off\"}");
        String widget = "w-" + UUID.randomUUID().toString().substring(0, 8);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{}")));
        String callId = "call-" + UUID.randomUUID();
        JsonNode result;
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(ToolCalls.event(callId, tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + widget + "\"}",
                    Instant.now().plusSeconds(30)));
            calls.flush();
            result = results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }

        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        String traceparent = result.path("traceparent").asText();
        assertTrue(traceparent.matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"), traceparent);
        assertNotEquals(CALLER, traceparent, "the caller's span id is not passed on as dispatch's");
        assertEquals(traceparent, ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/widgets/" + widget))).getFirst()
                .getHeader("traceparent"));
        Thread.sleep(300);
        assertEquals(0, spans.getFinishedSpanItems().size(), "nothing is recorded: " + spans.getFinishedSpanItems());
    }
}
