package dev.polymux.dispatch.toolcall.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.toolcall.ErrorCode;
import dev.polymux.dispatch.toolcall.ToolCall;

/**
 * Builds the one dev.polymux.tool.result.v1 event of a call: subject and key are the call id, the trace continues
 * from the call's traceparent, and timings say where the time went. Messages are sentences for people; callers pass
 * nothing secret in.
 */
@ApplicationScoped
public class ToolResults {

    public static final String TYPE = "dev.polymux.tool.result.v1";

    /** When the call arrived, when the first attempt started (null: none did), when it ended. */
    public record Timings(Instant receivedAt, Instant startedAt, Instant finishedAt) {
    }

    private final ObjectMapper mapper;
    private final DispatchConfig config;

    public ToolResults(ObjectMapper mapper, DispatchConfig config) {
        this.mapper = mapper;
        this.config = config;
    }

    public CloudEvent succeeded(ToolCall call, JsonNode output, int attempts, Timings timings) {
        ObjectNode data = base(call.callId(), call.workflowRunId(), "succeeded", attempts, timings);
        data.set("output", output == null ? mapper.nullNode() : output);
        return CloudEvent.create(config.eventSource(), TYPE, call.callId(), data).withTraceparent(call.traceparent());
    }

    public CloudEvent failed(ToolCall call, ErrorCode code, String message, Duration retryAfter, int attempts, Timings timings) {
        return failed(call.callId(), call.workflowRunId(), call.traceparent(), code, message, retryAfter, attempts, timings);
    }

    /** A poison event's error result: only the call id (and run id) could be read. */
    public CloudEvent invalidEvent(ToolCallReader.Poison poison, Instant receivedAt) {
        Instant now = Instant.now();
        return failed(poison.callId().orElseThrow(), poison.workflowRunId().orElse(null), null, ErrorCode.INVALID_EVENT,
                "The tool call was not accepted: " + poison.detail(), null, 0, new Timings(receivedAt, null, now));
    }

    /**
     * The stand-in for a result that does not fit a Kafka record: the same call, attempts and timings, failed with
     * OUTPUT_TOO_LARGE and a sentence naming both sizes. {@code ran}: whether the provider call itself succeeded.
     */
    public CloudEvent tooLargeToPublish(CloudEvent result, int bytes, int limit) {
        JsonNode data = result.data();
        boolean ran = "succeeded".equals(data.path("status").asText());
        ObjectNode replaced = mapper.createObjectNode().put("callId", data.path("callId").asText());
        if (data.hasNonNull("workflowRunId")) {
            replaced.put("workflowRunId", data.path("workflowRunId").asText());
        }
        replaced.put("status", "failed").put("attempts", data.path("attempts").asInt());
        replaced.set("timings", data.path("timings").deepCopy());
        replaced.putObject("error").put("code", ErrorCode.OUTPUT_TOO_LARGE.name())
                .put("message", "The result of this call is " + bytes + " bytes, over the " + limit + " bytes a result may have"
                        + (ran ? "; the provider call succeeded, but its output cannot be delivered." : "."))
                .put("retriable", ErrorCode.OUTPUT_TOO_LARGE.retriable());
        return CloudEvent.create(config.eventSource(), TYPE, result.subject(), replaced).withTraceparent(result.traceparent());
    }

    private CloudEvent failed(String callId, String workflowRunId, String traceparent, ErrorCode code, String message, Duration retryAfter,
            int attempts, Timings timings) {
        ObjectNode data = base(callId, workflowRunId, "failed", attempts, timings);
        ObjectNode error = data.putObject("error").put("code", code.name()).put("message", message).put("retriable", code.retriable());
        if (code.retriable() && retryAfter != null && !retryAfter.isNegative()) {
            error.put("retryAfter", retryAfter.toString());
        }
        return CloudEvent.create(config.eventSource(), TYPE, callId, data).withTraceparent(traceparent);
    }

    private ObjectNode base(String callId, String workflowRunId, String status, int attempts, Timings timings) {
        ObjectNode data = mapper.createObjectNode().put("callId", callId);
        if (workflowRunId != null) {
            data.put("workflowRunId", workflowRunId);
        }
        data.put("status", status).put("attempts", attempts);
        ObjectNode times = data.putObject("timings").put("receivedAt", timings.receivedAt().toString());
        if (timings.startedAt() != null) {
            times.put("startedAt", timings.startedAt().toString());
        }
        times.put("finishedAt", timings.finishedAt().toString())
                .put("durationMs", Math.max(0, Duration.between(timings.receivedAt(), timings.finishedAt()).toMillis()));
        return data;
    }
}
