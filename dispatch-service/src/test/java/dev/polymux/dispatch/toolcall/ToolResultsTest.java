package dev.polymux.dispatch.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.support.DispatchSettings;
import dev.polymux.dispatch.toolcall.service.ToolCallReader;
import dev.polymux.dispatch.toolcall.service.ToolResults;
import dev.polymux.testing.kafka.EventSchemas;

/** Every result the builder makes conforms to the published schema, carries the trace on, and retries only what may. */
class ToolResultsTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final DispatchConfig CONFIG = DispatchSettings.with(Map.of("polymux.dispatch.max-event-bytes", "1048576"));
    private static final ToolResults RESULTS = new ToolResults(JSON, CONFIG);
    private static final Instant RECEIVED = Instant.parse("2026-11-25T14:00:00.020Z");

    @Test
    void aSucceededResultCarriesTheOutputAndTheTrace() throws Exception {
        ToolCall call = call();
        JsonNode event = json(RESULTS.succeeded(call, JSON.readTree("{\"id\":\"cs_1\"}"), 1,
                new ToolResults.Timings(RECEIVED, RECEIVED.plusMillis(11), RECEIVED.plusMillis(390))));
        EventSchemas.assertMatchesItsSchema(event);
        assertEquals(call.callId(), event.path("subject").asText());
        assertEquals(call.traceparent(), event.path("traceparent").asText());
        assertEquals(390, event.path("data").path("timings").path("durationMs").asInt());
    }

    @Test
    void onlyRetriableErrorsSayWhenToRetry() throws Exception {
        ToolCall call = call();
        JsonNode limited = json(RESULTS.failed(call, ErrorCode.RATE_LIMITED, "Stripe asked to slow down.", Duration.ofSeconds(2), 3,
                new ToolResults.Timings(RECEIVED, RECEIVED, RECEIVED.plusSeconds(5))));
        EventSchemas.assertMatchesItsSchema(limited);
        assertEquals("PT2S", limited.path("data").path("error").path("retryAfter").asText());

        JsonNode broken = json(RESULTS.failed(call, ErrorCode.GRANT_BROKEN, "Access to Google Drive was revoked; reconnect the connection.",
                Duration.ofSeconds(2), 0, new ToolResults.Timings(RECEIVED, null, RECEIVED.plusMillis(4))));
        EventSchemas.assertMatchesItsSchema(broken);
        assertFalse(broken.path("data").path("error").path("retriable").asBoolean());
        assertFalse(broken.path("data").path("error").has("retryAfter"), "not retriable: no retry-after");
    }

    @Test
    void aPoisonEventWithACallIdGetsAnInvalidEventResult() throws Exception {
        String bad = example().replace("\"deadline\": \"2026-11-25T14:00:30.000Z\"", "\"x\": 1");
        ToolCallReader.Poison poison = assertInstanceOf(ToolCallReader.Poison.class,
                new ToolCallReader(JSON, CONFIG).read(bad.getBytes(StandardCharsets.UTF_8)));
        JsonNode event = json(RESULTS.invalidEvent(poison, RECEIVED));
        EventSchemas.assertMatchesItsSchema(event);
        assertEquals("INVALID_EVENT", event.path("data").path("error").path("code").asText());
        assertEquals("run_8842", event.path("data").path("workflowRunId").asText());
    }

    private static ToolCall call() throws Exception {
        return ((ToolCallReader.Valid) new ToolCallReader(JSON, CONFIG).read(example().getBytes(StandardCharsets.UTF_8))).call();
    }

    private static JsonNode json(CloudEvent event) {
        return JSON.valueToTree(event);
    }

    private static String example() throws Exception {
        return Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("docs/events/tool-call.example.json"));
    }
}
