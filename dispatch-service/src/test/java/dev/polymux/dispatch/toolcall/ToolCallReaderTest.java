package dev.polymux.dispatch.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.support.DispatchSettings;
import dev.polymux.dispatch.toolcall.service.ToolCallReader.Poison;
import dev.polymux.dispatch.toolcall.service.ToolCallReader.Valid;
import dev.polymux.dispatch.toolcall.service.ToolCallReader;

/** The poison corpus: every kind of bad event is named for the DLQ, keeps its call id when it has one, echoes nothing. */
class ToolCallReaderTest {

    private static final String SECRET = "sk_live_PoisonCorpusSecret";
    private static final ToolCallReader READER = new ToolCallReader(new ObjectMapper(), DispatchSettings.with(Map.of("polymux.dispatch.max-event-bytes", "65536")));

    @Test
    void theDocumentedExampleIsAValidCall() throws Exception {
        Valid valid = assertInstanceOf(Valid.class, READER.read(example().getBytes(StandardCharsets.UTF_8)));
        assertEquals("call_01JDX3Q8Z5K2", valid.call().callId());
        assertEquals("create_checkout_session", valid.call().tool());
        assertEquals(Instant.parse("2026-11-25T14:00:30Z"), valid.call().deadline());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", valid.call().traceparent());
        assertFalse(valid.call().toString().contains("price_1Qx"), "arguments stay out of toString");
    }

    static Stream<Arguments> corpus() throws Exception {
        String good = example();
        return Stream.of(
                Arguments.of("empty record", "", "empty", null),
                Arguments.of("not JSON", "{\"callId\": \"" + SECRET, "not-json", null),
                Arguments.of("binary garbage", "\u0000\u0001\u00ff\u00fe", "not-json", null),
                Arguments.of("a JSON array", "[1,2,3]", "not-a-cloudevent", null),
                Arguments.of("a JSON string", "\"" + SECRET + "\"", "not-a-cloudevent", null),
                Arguments.of("no specversion", good.replace("\"specversion\": \"1.0\",", ""), "not-a-cloudevent", "call_01JDX3Q8Z5K2"),
                Arguments.of("another type", good.replace("dev.polymux.tool.call.v1", "com.example.order.created"), "unknown-type",
                        "call_01JDX3Q8Z5K2"),
                Arguments.of("no deadline", good.replace("\"deadline\": \"2026-11-25T14:00:30.000Z\"", "\"x\": 1"), "schema-violation",
                        "call_01JDX3Q8Z5K2"),
                Arguments.of("deadline not a time", good.replace("2026-11-25T14:00:30.000Z", "tomorrow"), "schema-violation", "call_01JDX3Q8Z5K2"),
                Arguments.of("arguments not an object", good.replace("\"arguments\": {", "\"arguments\": [{").replace("\"quantity\": 2 }",
                        "\"quantity\": 2 }]"), "schema-violation", "call_01JDX3Q8Z5K2"),
                Arguments.of("a stray field carrying a secret", good.replace("\"tool\":", "\"apiKey\": \"" + SECRET + "\", \"tool\":"),
                        "schema-violation", "call_01JDX3Q8Z5K2"),
                Arguments.of("a call id that is not one", good.replace("\"callId\": \"call_01JDX3Q8Z5K2\"", "\"callId\": \"" + SECRET + " <x>\""),
                        "schema-violation", null),
                Arguments.of("no data", good.substring(0, good.indexOf("\"data\"")).replaceAll(",\\s*$", "") + "}", "schema-violation", null),
                Arguments.of("oversize", good.replace("\"quantity\": 2", "\"quantity\": 2, \"pad\": \"" + "x".repeat(70 * 1024) + "\""),
                        "oversize", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyKindOfPoisonIsNamedAndKeepsItsCallIdWhenItHasOne(String kind, String event, String reason, String callId) {
        Poison poison = assertInstanceOf(Poison.class, READER.read(event.getBytes(StandardCharsets.UTF_8)), kind);
        assertEquals(reason, poison.reason(), kind + ": " + poison.detail());
        assertEquals(Optional.ofNullable(callId), poison.callId(), kind);
        assertTrue(!poison.detail().contains(SECRET) && !poison.detail().contains("price_1Qx"), "the detail echoes no content: " + poison.detail());
    }

    @Test
    void aNullValueIsATombstone() {
        assertEquals("empty", assertInstanceOf(Poison.class, READER.read(null)).reason());
    }

    private static String example() throws Exception {
        return Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("docs/events/tool-call.example.json"));
    }
}
