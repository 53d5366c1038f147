package dev.polymux.dispatch.toolcall.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.toolcall.ToolCall;

/**
 * Turns a record of polymux.tool-calls.v1 into a {@link ToolCall}, or into a {@link Poison} that says why not: not
 * JSON, not a CloudEvent, an unknown type, a body that breaks the published schema, too large. A poison keeps the
 * call id when one can be read, so the engine still gets an error result. Reasons name rules and JSON pointers,
 * never content: an event may carry anything, secrets included.
 */
@ApplicationScoped
public class ToolCallReader {

    public static final String TYPE = "dev.polymux.tool.call.v1";
    private static final String SCHEMAS = "https://docs.polymux.dev/schemas/events/";
    private static final Pattern CALL_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

    /** What a record turned out to be. */
    public sealed interface Read permits Valid, Poison {
    }

    public record Valid(ToolCall call) implements Read {
    }

    /**
     * A record that cannot be run. {@code reason} is a stable code for the DLQ header (not-json, not-a-cloudevent,
     * unknown-type, schema-violation, oversize, empty); {@code detail} a sentence.
     */
    public record Poison(String reason, String detail, Optional<String> callId, Optional<String> workflowRunId) implements Read {
    }

    private final JsonSchema schema;
    private final ObjectMapper mapper;
    private final DispatchConfig config;

    public ToolCallReader(ObjectMapper mapper, DispatchConfig config) {
        this.mapper = mapper;
        this.config = config;
        this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMAS, "classpath:schemas/events/")))
                .getSchema(SchemaLocation.of(SCHEMAS + TYPE + ".schema.json"),
                        SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).locale(Locale.ENGLISH).formatAssertionsEnabled(true).build());
    }

    public Read read(byte[] value) {
        if (value == null || value.length == 0) {
            return poison("empty", "The record has no value (a tombstone or an empty message).", null);
        }
        if (value.length > config.maxEventBytes()) {
            return poison("oversize", "The event is " + value.length + " bytes; at most " + config.maxEventBytes() + " are accepted.", null);
        }
        JsonNode event;
        try {
            event = mapper.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            return poison("not-json", "The event is not JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ").", null);
        }
        if (event == null || !event.isObject()) {
            return poison("not-a-cloudevent", "The event is JSON but not an object; a CloudEvent in structured mode is expected.", null);
        }
        if (!"1.0".equals(event.path("specversion").asText()) || !event.path("type").isTextual()) {
            return poison("not-a-cloudevent", "The event is not a CloudEvents 1.0 event (specversion \"1.0\" and a type are required).", event);
        }
        if (!TYPE.equals(event.path("type").asText())) {
            return poison("unknown-type", "Events of type " + printable(event.path("type").asText()) + " are not tool calls; "
                    + "polymux.tool-calls.v1 carries " + TYPE + ".", event);
        }
        List<String> problems = schema.validate(event).stream().map(m -> m.getInstanceLocation() + " " + m.getType()).sorted().toList();
        if (!problems.isEmpty()) {
            return poison("schema-violation", "The tool call breaks its schema at " + String.join(", ", problems) + ".", event);
        }
        JsonNode data = event.get("data");
        Instant deadline;
        try {
            deadline = Instant.parse(data.get("deadline").asText());
        } catch (DateTimeParseException e) {
            return poison("schema-violation", "The tool call's /data/deadline is not an RFC 3339 time in UTC.", event);
        }
        return new Valid(new ToolCall(data.get("callId").asText(), data.get("tenantId").asText(), data.get("workflowRunId").asText(),
                data.get("pluginId").asText(), data.get("connectionKey").asText(), data.get("tool").asText(), data.get("arguments"),
                deadline, event.path("traceparent").asText(null)));
    }

    private static Poison poison(String reason, String detail, JsonNode event) {
        JsonNode data = event == null ? null : event.path("data");
        Optional<String> callId = data == null ? Optional.empty() : Optional.of(data.path("callId").asText(""))
                .filter(id -> CALL_ID.matcher(id).matches());
        Optional<String> run = data == null ? Optional.empty() : Optional.of(data.path("workflowRunId").asText("")).filter(r -> !r.isBlank()
                && r.length() <= 256);
        return new Poison(reason, detail, callId, run);
    }

    /** A type name as we repeat it back: short, and only the characters a type may have. */
    private static String printable(String type) {
        String cleaned = type.replaceAll("[^A-Za-z0-9._-]", "?");
        return "\"" + (cleaned.length() > 80 ? cleaned.substring(0, 80) + "…" : cleaned) + "\"";
    }
}
