package dev.polymux.dispatch.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.dispatch.support.DispatchSettings;
import dev.polymux.dispatch.toolcall.service.ToolCallReader;
import dev.polymux.dispatch.toolcall.service.ToolCallReader.Poison;
import dev.polymux.dispatch.toolcall.service.ToolCallReader.Valid;
import dev.polymux.testing.kafka.ExtendedCloudEvents;

/** Tool calls are CloudEvents 1.0: optional attributes and extensions are allowed, attribute names follow the spec. */
class ToolCallReaderExtensionsTest {

    private static final ToolCallReader READER = new ToolCallReader(new ObjectMapper(),
            DispatchSettings.with(Map.of("polymux.dispatch.max-event-bytes", "65536")));

    private static String call(String callId) {
        return ExtendedCloudEvents.json("/workflow-engine/test", ToolCallReader.TYPE, callId, """
                {"callId":"%s","tenantId":"t-1","workflowRunId":"run-1","pluginId":"dispatch-suite","connectionKey":"acme",
                 "tool":"get_widget","arguments":{"id":"w-1"},"deadline":"2026-11-25T14:00:30.000Z"}""".formatted(callId));
    }

    @Test
    void aCallWithDataschemaTracestateACustomExtensionAndNoTimeIsValid() {
        Valid valid = assertInstanceOf(Valid.class, READER.read(call("call-ext-1").getBytes(StandardCharsets.UTF_8)));
        assertEquals("call-ext-1", valid.call().callId());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", valid.call().traceparent());
    }

    @Test
    void anAttributeNameOutsideTheSpecIsASchemaViolationThatKeepsTheCallId() {
        String bad = call("call-ext-2").replace("\"partitionkey\"", "\"partition-key\"");
        Poison poison = assertInstanceOf(Poison.class, READER.read(bad.getBytes(StandardCharsets.UTF_8)));
        assertEquals("schema-violation", poison.reason(), poison.detail());
        assertEquals(Optional.of("call-ext-2"), poison.callId());
    }
}
