package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

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
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Tracing on, spans exported to memory: a tool call is one span of the caller's trace, a child of the call's
 * traceparent; the result and the provider request carry that span; no span holds the arguments or the credential.
 */
@QuarkusTest
@TestProfile(ToolCallTracingTest.TracingOn.class)
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class ToolCallTracingTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    // Spans go to the in-memory exporter only: nothing tries a collector on localhost:4317.
                    "quarkus.otel.exporter.otlp.enabled", "false",
                    "quarkus.otel.bsp.schedule.delay", "100ms");
        }
    }

    /** The exporter the SDK sends spans to (any SpanExporter bean is one). */
    @ApplicationScoped
    public static class Exporters {
        @Produces
        @Singleton
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }
    }

    private static final String API_KEY = "acme_live_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void platform() {
        Suite.published();
    }

    @Test
    void aToolCallIsOneSpanOfTheCallersTraceAndTheResultAndProviderCarryIt() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        String widget = "w-" + UUID.randomUUID().toString().substring(0, 8);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).withHeader("X-Api-Key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"id\":\"" + widget + "\"}")));
        String traceId = hex(16);
        String callerSpan = hex(8);

        JsonNode result = call(tenant, "get_widget", "{\"id\":\"" + widget + "\"}", "00-" + traceId + "-" + callerSpan + "-01");

        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        SpanData span = awaitCallSpan(traceId, result.path("data").path("callId").asText());
        assertEquals(callerSpan, span.getParentSpanId(), "the span is a child of the call's traceparent");
        assertTrue(span.getParentSpanContext().isRemote());
        assertEquals(SpanKind.CONSUMER, span.getKind());
        assertEquals("tool_call get_widget", span.getName());
        assertEquals("get_widget", span.getAttributes().get(AttributeKey.stringKey("polymux.tool")));
        assertEquals("acme-api", span.getAttributes().get(AttributeKey.stringKey("polymux.connector")).split("@")[0]);
        assertEquals("succeeded", span.getAttributes().get(AttributeKey.stringKey("polymux.outcome")));
        assertEquals(1L, span.getAttributes().get(AttributeKey.longKey("polymux.attempts")));
        assertEquals(tenant, span.getAttributes().get(AttributeKey.stringKey("polymux.tenant_id")));

        String ours = "00-" + traceId + "-" + span.getSpanId() + "-01";
        assertEquals(ours, result.path("traceparent").asText(), "the result continues the trace from dispatch's span");
        LoggedRequest request = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/widgets/" + widget))).getFirst();
        assertTrue(request.getHeader("traceparent").startsWith("00-" + traceId + "-"), request.getHeader("traceparent"));
        assertEquals(ours, request.getHeader("traceparent"), "the provider request carries dispatch's span");

        assertNoSpanHolds(widget);
        assertNoSpanHolds(API_KEY);
    }

    @Test
    void aFailedCallSetsTheErrorStatusWithoutTheProvidersWords() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        String widget = "w-" + UUID.randomUUID().toString().substring(0, 8);
        String answer = "no widget here, dear " + UUID.randomUUID();
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"" + answer + "\"}")));
        String traceId = hex(16);

        JsonNode result = call(tenant, "get_widget", "{\"id\":\"" + widget + "\"}", "00-" + traceId + "-" + hex(8) + "-01");

        assertEquals("failed", result.path("data").path("status").asText(), result.toString());
        assertTrue(result.path("data").path("error").path("message").asText().contains(answer), "the result still quotes the provider");
        SpanData span = awaitCallSpan(traceId, result.path("data").path("callId").asText());
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals("PROVIDER_ERROR", span.getAttributes().get(AttributeKey.stringKey("polymux.outcome")));
        assertFalse(span.getStatus().getDescription().contains("dear"), span.getStatus().getDescription());
        assertNoSpanHolds(answer);
        assertNoSpanHolds(widget);
    }

    private SpanData awaitCallSpan(String traceId, String callId) {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(
                () -> spans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId))
                        .filter(span -> callId.equals(span.getAttributes().get(AttributeKey.stringKey("polymux.call_id"))))
                        .findFirst().orElse(null),
                found -> found != null);
    }

    /** No exported span (dispatch's own, gRPC, Kafka...) has {@code value} in its name, status or any attribute. */
    private void assertNoSpanHolds(String value) {
        List<SpanData> all = spans.getFinishedSpanItems();
        assertFalse(all.isEmpty());
        for (SpanData span : all) {
            assertFalse(span.getName().contains(value), span.getName());
            assertFalse(span.getStatus().getDescription().contains(value), span.getName() + ": " + span.getStatus());
            span.getAttributes().forEach((key, attribute) -> assertFalse(String.valueOf(attribute).contains(value),
                    span.getName() + " " + key + " holds " + value));
            span.getEvents().forEach(event -> assertFalse(event.getAttributes().toString().contains(value) || event.getName().contains(value),
                    span.getName() + " event " + event.getName()));
        }
    }

    private static JsonNode call(String tenant, String tool, String arguments, String traceparent) {
        String callId = "call-" + UUID.randomUUID();
        String event = ToolCalls.event(callId, tenant, Suite.PLUGIN, "acme", tool, arguments, Instant.now().plusSeconds(30))
                .replace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceparent);
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(event);
            calls.flush();
            return results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1; // never all zeros
        return HexFormat.of().formatHex(random);
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
