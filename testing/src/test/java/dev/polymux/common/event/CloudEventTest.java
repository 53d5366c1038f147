package dev.polymux.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Locale;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;

/**
 * The envelope as the CloudEvents 1.0 JSON format defines it, read with the services' own Jackson settings
 * (unknown properties are errors there): extensions are kept and written back flat, time and dataschema are
 * optional, other spec versions and invalid attribute names are skipped with a warning that names no content.
 */
class CloudEventTest {

    /** As Quarkus configures it from commons' microprofile-config.properties. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final Warnings LOG = new Warnings();
    private static final String SECRET = "sk_live_EnvelopeSecretValue";

    private static final String WITH_EXTENSIONS = """
            {"specversion":"1.0","id":"e-ext-1","source":"/polymux/registry-service","type":"dev.polymux.installation.removed.v1",
             "subject":"inst_ext","datacontenttype":"application/json",
             "dataschema":"https://docs.polymux.dev/schemas/events/dev.polymux.installation.removed.v1.schema.json",
             "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"rojo=00f067aa0ba902b7",
             "partitionkey":"tenant-a","sequence":42,"sampled":true,
             "data":{"tenantId":"tenant-a","installationId":"inst_ext"}}""";

    @Test
    void extensionsAndDataschemaAreKeptAndTimeIsOptional() {
        CloudEvent event = CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS, LOG);
        assertNotNull(event, "a valid CloudEvent with extensions and without time is read");
        assertEquals("e-ext-1", event.id());
        assertEquals("inst_ext", event.subject());
        assertNull(event.time());
        assertEquals("https://docs.polymux.dev/schemas/events/dev.polymux.installation.removed.v1.schema.json", event.dataschema());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", event.traceparent());
        assertEquals(List.of("tracestate", "partitionkey", "sequence", "sampled"), List.copyOf(event.extensions().keySet()));
        assertEquals("rojo=00f067aa0ba902b7", event.extensions().get("tracestate").asText());
        assertEquals("tenant-a", event.extension("partitionkey"));
        assertEquals(42, event.extensions().get("sequence").asInt());
        assertTrue(event.extensions().get("sampled").asBoolean());
        assertEquals("tenant-a", event.data().path("tenantId").asText());
    }

    @Test
    void aReadEventIsWrittenBackWithItsExtensionsFlat() throws Exception {
        CloudEvent event = CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS, LOG);
        JsonNode written = MAPPER.readTree(MAPPER.writeValueAsString(event));
        assertEquals(MAPPER.readTree(WITH_EXTENSIONS), written, "every attribute, extensions included, at the top level");
        assertFalse(written.has("extensions"), "no nested extensions member");
        assertFalse(written.has("time"), "an absent time stays absent");
        assertEquals(event, MAPPER.readValue(MAPPER.writeValueAsString(event), CloudEvent.class), "round trip through Jackson too");
    }

    @Test
    void aCreatedEventIsStampedAndWrittenAsBefore() throws Exception {
        CloudEvent event = CloudEvent.create("/polymux/test", "dev.polymux.test.checked.v1", "s-1", MAPPER.readTree("{\"a\":1}"))
                .withTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        JsonNode written = MAPPER.readTree(MAPPER.writeValueAsString(event));
        assertEquals("1.0", written.path("specversion").asText());
        assertEquals(event.time(), Instant.parse(written.path("time").asText()));
        assertEquals("application/json", written.path("datacontenttype").asText());
        assertEquals(1, written.path("data").path("a").asInt());
        assertFalse(written.has("dataschema") || written.has("extensions"), "absent optional attributes are not written: " + written);
        CloudEvent read = CloudEvent.readOrSkip(MAPPER, written.toString(), LOG);
        assertEquals(event, read);

        CloudEvent nine = new CloudEvent("1.0", "e-9", "/polymux/test", "dev.polymux.test.checked.v1", "s", Instant.EPOCH,
                "application/json", null, null);
        assertTrue(nine.extensions().isEmpty(), "the nine-argument constructor still compiles and has no extensions");
        CloudEvent tagged = nine.withExtension("partitionkey", "k-1");
        assertEquals("k-1", MAPPER.readTree(MAPPER.writeValueAsString(tagged)).path("partitionkey").asText());
    }

    @Test
    void timeWithAnOffsetIsReadAsTheSameInstant() {
        CloudEvent event = CloudEvent.readOrSkip(MAPPER, """
                {"specversion":"1.0","id":"e-t","source":"/s","type":"dev.polymux.test.v1","time":"2026-11-25T15:00:00.5+01:00"}""", LOG);
        assertNotNull(event);
        assertEquals(Instant.parse("2026-11-25T14:00:00.500Z"), event.time());
    }

    @Test
    void anotherSpecVersionIsSkippedWithAWarning() {
        {
            Warnings logs = LOG.cleared();
            assertNull(CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS.replace("\"specversion\":\"1.0\"", "\"specversion\":\"0.3\""), LOG));
            assertTrue(logs.messages.stream().anyMatch(m -> m.contains("specversion")), logs.messages.toString());
            assertNull(CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS.replace("\"specversion\":\"1.0\",", ""), LOG));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Partitionkey", "partition_key", "partition-key", "sk_live_EnvelopeSecretValue", "\u00e9t\u00e9", ""})
    void anInvalidAttributeNameIsSkippedWithAWarningNamingItButNoValue(String name) {
        String json = WITH_EXTENSIONS.replace("\"partitionkey\":\"tenant-a\"", "\"" + name + "\":\"" + SECRET + "-value\"");
        {
            Warnings logs = LOG.cleared();
            assertNull(CloudEvent.readOrSkip(MAPPER, json, LOG), name);
            String warned = String.join("\n", logs.messages);
            assertTrue(warned.toLowerCase(Locale.ROOT).contains("attribute name"), warned);
            assertFalse(warned.contains(SECRET + "-value"), "the value is never logged: " + warned);
            assertFalse(warned.contains("tenant-a") || warned.contains("inst_ext"), "nor any other content: " + warned);
        }
    }

    @Test
    void requiredAttributesOfTheWrongTypeAreSkippedNamingTheAttribute() {
        {
            Warnings logs = LOG.cleared();
            assertNull(CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS.replace("\"id\":\"e-ext-1\"", "\"id\":17"), LOG));
            assertNull(CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS.replace("\"id\":\"e-ext-1\",", ""), LOG));
            assertNull(CloudEvent.readOrSkip(MAPPER, WITH_EXTENSIONS.replace("\"subject\":\"inst_ext\"",
                    "\"time\":\"" + SECRET + "\",\"subject\":\"inst_ext\""), LOG));
            assertNull(CloudEvent.readOrSkip(MAPPER, "[1,2]", LOG));
            assertNull(CloudEvent.readOrSkip(MAPPER, "{\"id\": \"" + SECRET, LOG));
            String warned = String.join("\n", logs.messages);
            assertTrue(warned.contains("id") && warned.contains("time"), warned);
            assertFalse(warned.contains(SECRET), warned);
        }
    }

    @Test
    void theEnvelopeSchemaAcceptsExtensionsWithoutTimeAndRefusesInvalidNames() throws Exception {
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaMappers(m -> m.mapPrefix("https://docs.polymux.dev/schemas/events/", "classpath:schemas/events/")))
                .getSchema(SchemaLocation.of("https://docs.polymux.dev/schemas/events/cloudevent.schema.json"));
        assertEquals(0, schema.validate(MAPPER.readTree(WITH_EXTENSIONS)).size(), schema.validate(MAPPER.readTree(WITH_EXTENSIONS)).toString());
        assertFalse(schema.validate(MAPPER.readTree(WITH_EXTENSIONS.replace("\"partitionkey\"", "\"partition_key\""))).isEmpty());
    }

    /** A logger that keeps what it was given, formatted, to check what a skipped event's warning says. */
    private static final class Warnings extends Logger {

        final List<String> messages = new CopyOnWriteArrayList<>();

        Warnings() {
            super("cloudevent-test");
        }

        Warnings cleared() {
            messages.clear();
            return this;
        }

        @Override
        protected void doLog(Level level, String loggerClassName, Object message, Object[] parameters, Throwable thrown) {
            messages.add(level + " " + (parameters == null || parameters.length == 0 ? String.valueOf(message)
                    : java.text.MessageFormat.format(String.valueOf(message), parameters)) + (thrown == null ? "" : " " + thrown));
        }

        @Override
        protected void doLogf(Level level, String loggerClassName, String format, Object[] parameters, Throwable thrown) {
            messages.add(level + " " + (parameters == null ? format : String.format(format, parameters)) + (thrown == null ? "" : " " + thrown));
        }

        @Override
        public boolean isEnabled(Level level) {
            return true;
        }
    }
}
