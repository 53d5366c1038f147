package dev.polymux.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import com.fasterxml.jackson.databind.JsonNode;

class KafkaBrokerTest {

    private static final String STRUCTURED = "application/cloudevents+json; charset=UTF-8";

    @Test
    void recordsRoundTripThroughTheRealBroker() {
        try (KafkaEvents events = KafkaEvents.watch("polymux.testing.round-trip.v1")) {
            KafkaEvents.send("polymux.testing.round-trip.v1", "k1", "hello", Map.of());
            ConsumerRecord<String, String> record = events.await(r -> "k1".equals(r.key()), Duration.ofSeconds(20));
            assertEquals("hello", record.value());
        }
    }

    @Test
    void awaitsACloudEventAndChecksItsEnvelope() {
        String event = """
                {"specversion":"1.0","id":"e-1","source":"/polymux/test","type":"dev.polymux.test.v1",
                 "time":"2026-11-25T12:00:00Z","datacontenttype":"application/json","data":{"n":1}}""";
        try (KafkaEvents events = KafkaEvents.watch("polymux.testing.cloudevents.v1")) {
            KafkaEvents.send("polymux.testing.cloudevents.v1", "e", "not json at all", Map.of());
            KafkaEvents.send("polymux.testing.cloudevents.v1", "e", event, Map.of("content-type", STRUCTURED));
            JsonNode received = events.awaitCloudEvent(json -> "e-1".equals(json.path("id").asText()));
            assertEquals(1, received.path("data").path("n").asInt());
        }
    }

    @Test
    void aCloudEventWithoutItsContentTypeHeaderFailsTheAssertion() {
        String event = """
                {"specversion":"1.0","id":"e-2","source":"/polymux/test","type":"dev.polymux.test.v1","time":"2026-11-25T12:00:00Z"}""";
        try (KafkaEvents events = KafkaEvents.watch("polymux.testing.bare.v1")) {
            KafkaEvents.send("polymux.testing.bare.v1", "e", event, Map.of());
            assertThrows(AssertionFailedError.class,
                    () -> events.awaitCloudEvent(json -> "e-2".equals(json.path("id").asText())));
        }
    }

    @Test
    void awaitFailsWhenNothingMatchesInTime() {
        try (KafkaEvents events = KafkaEvents.watch("polymux.testing.silent.v1")) {
            assertThrows(AssertionFailedError.class, () -> events.await(r -> true, Duration.ofMillis(500)));
        }
    }
}
