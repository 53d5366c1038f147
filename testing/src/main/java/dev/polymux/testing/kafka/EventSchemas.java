package dev.polymux.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

/**
 * Checks a published event against the JSON Schema of its type ({@code schemas/events/<type>.schema.json} on the
 * class path, which the services ship): the published schemas are the contract, and tests keep them true.
 */
public final class EventSchemas {

    private static final String BASE = "https://docs.polymux.dev/schemas/events/";
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(BASE, "classpath:schemas/events/")));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER)
            .locale(Locale.ENGLISH).build();

    private EventSchemas() {
    }

    public static void assertMatchesItsSchema(JsonNode event) {
        assertEquals(List.of(), problems(event), "event of type " + event.path("type").asText() + " against its schema");
    }

    /** What the event's schema (by its type) finds wrong with it, by JSON pointer; empty when it conforms. */
    public static List<String> problems(JsonNode event) {
        String type = event.path("type").asText();
        JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(BASE + type + ".schema.json"), CONFIG);
        return schema.validate(event).stream().map(m -> m.getInstanceLocation() + ": " + m.getError()).sorted().toList();
    }
}
