package dev.polymux.testing.kafka;

import java.util.Map;
import java.util.UUID;

/**
 * Events as another CloudEvents 1.0 producer may send them: with the optional {@code dataschema}, the tracing
 * extensions ({@code traceparent}, {@code tracestate}), a custom extension ({@code partitionkey}), and without the
 * optional {@code time}. Every consumer must act on them as on Polymux's own.
 */
public final class ExtendedCloudEvents {

    public static final String PARTITION_KEY = "partitionkey";

    private ExtendedCloudEvents() {
    }

    /** The structured-mode JSON of such an event; {@code dataJson} is the payload as JSON text. */
    public static String json(String source, String type, String subject, String dataJson) {
        return """
                {"specversion":"1.0","id":"%s","source":"%s","type":"%s","subject":"%s","datacontenttype":"application/json",
                 "dataschema":"https://docs.polymux.dev/schemas/events/%s.schema.json",
                 "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
                 "%s":"%s","data":%s}""".formatted(UUID.randomUUID(), source, type, subject, type, PARTITION_KEY, subject, dataJson);
    }

    /** Sends such an event to {@code topic}, keyed by its subject, with the structured-mode content type. */
    public static void send(String topic, String source, String type, String subject, String dataJson) {
        KafkaEvents.send(topic, subject, json(source, type, subject, dataJson),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
    }
}
