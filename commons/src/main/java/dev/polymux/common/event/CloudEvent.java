package dev.polymux.common.event;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A CloudEvents 1.0 event in the JSON format (structured mode), the envelope of every Polymux Kafka event.
 * The workflow engine and other consumers are written by other people: the envelope is part of the contract,
 * described by schemas/events/cloudevent.schema.json in this module.
 *
 * @param specversion always "1.0"
 * @param id          unique per event; consumers de-duplicate on it
 * @param source      the producing service, e.g. "/polymux/registry-service"
 * @param type        versioned event type, e.g. "dev.polymux.installation.created.v1"
 * @param subject     what the event is about, e.g. an installation id
 * @param time        when it happened
 * @param data        the event payload; never holds a secret value
 * @param traceparent W3C trace context (the CloudEvents distributed-tracing extension), when the event continues a trace
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudEvent(String specversion, String id, String source, String type, String subject, Instant time,
        String datacontenttype, JsonNode data, String traceparent) {

    public static final String SPEC_VERSION = "1.0";
    /** Kafka header value for structured-mode CloudEvents (CloudEvents Kafka protocol binding). */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
    public static final String DATA_CONTENT_TYPE = "application/json";

    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
    }

    /** A new event with a random id, stamped now (to the millisecond, as JSON consumers in other languages expect). */
    public static CloudEvent create(String source, String type, String subject, JsonNode data) {
        return new CloudEvent(SPEC_VERSION, UUID.randomUUID().toString(), source, type, subject,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), DATA_CONTENT_TYPE, data, null);
    }

    /** This event continuing the trace {@code traceparent} (null: none). */
    public CloudEvent withTraceparent(String traceparent) {
        return new CloudEvent(specversion, id, source, type, subject, time, datacontenttype, data, traceparent);
    }

    /**
     * The event in {@code json}, or null when it is not a CloudEvent: then a warning names the failure (never the
     * content, which could hold anything) so that a consumer skips it instead of stopping on it.
     */
    public static CloudEvent readOrSkip(ObjectMapper mapper, String json, Logger log) {
        try {
            return mapper.readValue(json, CloudEvent.class);
        } catch (Exception unreadable) {
            log.warnf("Skipped an event that is not a CloudEvent: %s", unreadable.getClass().getSimpleName());
            return null;
        }
    }
}
