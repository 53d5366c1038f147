package dev.polymux.common.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A CloudEvents 1.0 event in the JSON format (structured mode), the envelope of every Polymux Kafka event.
 * The workflow engine and other consumers are written by other people: the envelope is part of the contract,
 * described by schemas/events/cloudevent.schema.json in this module.
 * <p>
 * Read as the specification says, whatever the mapper's settings: any attribute beyond the known ones is an
 * extension, kept in {@link #extensions} and written back flat; {@code time}, {@code subject},
 * {@code datacontenttype} and {@code dataschema} are optional. Another specversion, an attribute name other than
 * lowercase a-z0-9, or a known attribute of the wrong type makes it unreadable ({@link #readOrSkip} skips it).
 *
 * @param specversion     always "1.0"
 * @param id              unique per event; consumers de-duplicate on it
 * @param source          the producing service, e.g. "/polymux/registry-service"
 * @param type            versioned event type, e.g. "dev.polymux.installation.created.v1"
 * @param subject         what the event is about, e.g. an installation id
 * @param time            when it happened; optional in the spec (events we create always have it)
 * @param datacontenttype the media type of data
 * @param dataschema      the URI of the schema data adheres to, when the producer names one
 * @param data            the event payload; never holds a secret value
 * @param traceparent     W3C trace context (the CloudEvents distributed-tracing extension), when the event continues a trace
 * @param extensions      every other attribute (tracestate, partitionkey, ...), by name, in the order read; never null
 */
@RegisterForReflection
public record CloudEvent(String specversion, String id, String source, String type, String subject, Instant time,
        String datacontenttype, String dataschema, JsonNode data, String traceparent, Map<String, JsonNode> extensions) {

    public static final String SPEC_VERSION = "1.0";
    /** Kafka header value for structured-mode CloudEvents (CloudEvents Kafka protocol binding). */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
    public static final String DATA_CONTENT_TYPE = "application/json";

    /** CloudEvents 1.0: attribute names are lowercase ASCII letters and digits. */
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]+");
    /** Members with a meaning of their own; everything else is an extension attribute. */
    private static final Set<String> KNOWN = Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
            "dataschema", "data", "data_base64", "traceparent");
    /** RFC 3339 (the spec's Timestamp): an offset or Z, either case. */
    private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter();

    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        if (extensions == null || extensions.isEmpty()) {
            extensions = Map.of();
        } else {
            Map<String, JsonNode> copy = new LinkedHashMap<>();
            extensions.forEach((name, value) -> {
                if (!ATTRIBUTE_NAME.matcher(name).matches() || KNOWN.contains(name)) {
                    throw new IllegalArgumentException("Not an extension attribute name: " + printable(name));
                }
                if (value != null && !value.isNull()) {
                    copy.put(name, value);
                }
            });
            extensions = Collections.unmodifiableMap(copy);
        }
    }

    /** The event without dataschema and extensions (the attributes every Polymux event had from the start). */
    public CloudEvent(String specversion, String id, String source, String type, String subject, Instant time,
            String datacontenttype, JsonNode data, String traceparent) {
        this(specversion, id, source, type, subject, time, datacontenttype, null, data, traceparent, Map.of());
    }

    /** A new event with a random id, stamped now (to the millisecond, as JSON consumers in other languages expect). */
    public static CloudEvent create(String source, String type, String subject, JsonNode data) {
        return new CloudEvent(SPEC_VERSION, UUID.randomUUID().toString(), source, type, subject,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), DATA_CONTENT_TYPE, data, null);
    }

    /** This event continuing the trace {@code traceparent} (null: none). */
    public CloudEvent withTraceparent(String traceparent) {
        return new CloudEvent(specversion, id, source, type, subject, time, datacontenttype, dataschema, data, traceparent, extensions);
    }

    /** This event with the extension attribute {@code name} set to the string {@code value} (null: removed). */
    public CloudEvent withExtension(String name, String value) {
        Map<String, JsonNode> changed = new LinkedHashMap<>(extensions);
        if (value == null) {
            changed.remove(name);
        } else {
            changed.put(name, JsonNodeFactory.instance.textNode(value));
        }
        return new CloudEvent(specversion, id, source, type, subject, time, datacontenttype, dataschema, data, traceparent, changed);
    }

    /** The extension attribute {@code name} as text (its JSON text for numbers and booleans), or null when absent. */
    public String extension(String name) {
        JsonNode value = extensions.get(name);
        return value == null ? null : value.asText();
    }

    /** The event in the JSON format: every attribute at the top level, extensions included; absent ones left out. */
    @JsonValue
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("specversion", specversion);
        json.put("id", id);
        json.put("source", source);
        json.put("type", type);
        putIfPresent(json, "subject", subject);
        putIfPresent(json, "time", time == null ? null : time.toString());
        putIfPresent(json, "datacontenttype", datacontenttype);
        putIfPresent(json, "dataschema", dataschema);
        putIfPresent(json, "traceparent", traceparent);
        json.setAll(extensions);
        if (data != null) {
            json.set("data", data);
        }
        return json;
    }

    /**
     * The event in {@code json} (a JSON object in the CloudEvents 1.0 JSON format).
     *
     * @throws InvalidCloudEvent when it is not one; the message names the attribute and the rule, never a value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static CloudEvent fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new InvalidCloudEvent("it is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> member : json.properties()) {
            String name = member.getKey();
            if (!KNOWN.contains(name) && !ATTRIBUTE_NAME.matcher(name).matches()) {
                throw new InvalidCloudEvent("the attribute name " + printable(name) + " is not lowercase letters and digits");
            }
        }
        String specversion = text(json, "specversion", true);
        if (!SPEC_VERSION.equals(specversion)) {
            throw new InvalidCloudEvent("its specversion is not \"" + SPEC_VERSION + "\"");
        }
        if (json.hasNonNull("data_base64")) {
            // Every Polymux consumer reads JSON data; binary data has no meaning here.
            throw new InvalidCloudEvent("it carries binary data (data_base64); JSON data is expected");
        }
        String id = nonEmpty(json, "id");
        String source = nonEmpty(json, "source");
        String type = nonEmpty(json, "type");
        Map<String, JsonNode> extensions = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> member : json.properties()) {
            if (!KNOWN.contains(member.getKey()) && !member.getValue().isNull()) {
                extensions.put(member.getKey(), member.getValue());
            }
        }
        JsonNode data = json.get("data");
        return new CloudEvent(specversion, id, source, type, text(json, "subject", false), time(json),
                text(json, "datacontenttype", false), text(json, "dataschema", false), data == null || data.isNull() ? null : data,
                text(json, "traceparent", false), extensions);
    }

    /**
     * The event in {@code json}, or null when it is not a CloudEvent: then a warning names the failure (never the
     * content, which could hold anything) so that a consumer skips it instead of stopping on it.
     */
    public static CloudEvent readOrSkip(ObjectMapper mapper, String json, Logger log) {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JsonProcessingException | IllegalArgumentException unreadable) {
            log.warnf("Skipped an event that is not a CloudEvent: it is not JSON (%s)", unreadable.getClass().getSimpleName());
            return null;
        }
        try {
            return fromJson(tree);
        } catch (InvalidCloudEvent invalid) {
            log.warnf("Skipped an event that is not a CloudEvents 1.0 event: %s", invalid.getMessage());
            return null;
        }
    }

    /** Why a JSON value is not a CloudEvent; the message names attributes and rules, never values. */
    public static final class InvalidCloudEvent extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        public InvalidCloudEvent(String reason) {
            super(reason);
        }
    }

    private static String text(JsonNode json, String name, boolean required) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidCloudEvent("the required attribute " + name + " is missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidCloudEvent("the attribute " + name + " is not a string");
        }
        return value.asText();
    }

    private static String nonEmpty(JsonNode json, String name) {
        String value = text(json, name, true);
        if (value.isEmpty()) {
            throw new InvalidCloudEvent("the required attribute " + name + " is empty");
        }
        return value;
    }

    private static Instant time(JsonNode json) {
        String time = text(json, "time", false);
        if (time == null) {
            return null;
        }
        try {
            return RFC_3339.parse(time, OffsetDateTime::from).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidCloudEvent("the attribute time is not an RFC 3339 timestamp");
        }
    }

    private static void putIfPresent(ObjectNode json, String name, String value) {
        if (value != null) {
            json.put(name, value);
        }
    }

    /** An attribute name as we repeat it in a warning: short, and only characters a name could have. */
    private static String printable(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9_.-]", "?");
        return "\"" + (cleaned.length() > 40 ? cleaned.substring(0, 40) + "…" : cleaned) + "\"";
    }
}
