package dev.polymux.dispatch.toolcall;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool call as the workflow engine published it (dev.polymux.tool.call.v1), after it passed its schema. The
 * arguments may hold anything the engine sent, so {@link #toString()} leaves them out.
 */
public record ToolCall(String callId, String tenantId, String workflowRunId, String pluginId, String connectionKey, String tool,
        JsonNode arguments, Instant deadline, String traceparent) {

    /** The same call continuing another trace context (dispatch's own span). */
    public ToolCall withTraceparent(String traceparent) {
        return new ToolCall(callId, tenantId, workflowRunId, pluginId, connectionKey, tool, arguments, deadline, traceparent);
    }

    @Override
    public String toString() {
        return "ToolCall[" + callId + ", " + tenantId + "/" + pluginId + "/" + connectionKey + ", tool=" + tool + ", deadline=" + deadline + "]";
    }
}
