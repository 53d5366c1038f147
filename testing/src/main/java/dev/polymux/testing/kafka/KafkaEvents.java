package dev.polymux.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads and writes records on the test broker and asserts on them. One instance watches one topic from its
 * beginning with its own consumer group, so tests see every record, including those produced before they looked.
 */
public final class KafkaEvents implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    private KafkaEvents(String topic) {
        this.topic = topic;
        KafkaBroker.ensureTopic(topic, 3);
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "polymux-test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Watches a topic (created if missing) from its first record. */
    public static KafkaEvents watch(String topic) {
        return new KafkaEvents(topic);
    }

    /** Sends one record and waits for the broker's acknowledgement. */
    public static void send(String topic, String key, String value, Map<String, String> headers) {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            headers.forEach((name, headerValue) -> record.headers().add(name, headerValue.getBytes(StandardCharsets.UTF_8)));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not send a test record to " + topic, e);
        }
    }

    /** The first record (in arrival order) that matches, waiting up to the timeout. Fails the test otherwise. */
    public ConsumerRecord<String, String> await(Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int checked = 0;
        while (true) {
            for (; checked < seen.size(); checked++) {
                if (match.test(seen.get(checked))) {
                    return seen.get(checked);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                return fail("No matching record on " + topic + " within " + timeout + "; saw " + seen.size() + " record(s)");
            }
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        }
    }

    /**
     * The first structured-mode CloudEvent whose JSON matches. Asserts the envelope: the content-type header,
     * specversion 1.0 and the required attributes. Returns the whole event as JSON.
     */
    public JsonNode awaitCloudEvent(Predicate<JsonNode> match) {
        ConsumerRecord<String, String> record = await(r -> match.test(parse(r.value())), DEFAULT_TIMEOUT);
        assertCloudEvent(record);
        return parse(record.value());
    }

    /** Every record seen so far that matches; waits a little for stragglers first. */
    public List<ConsumerRecord<String, String>> allMatching(Predicate<ConsumerRecord<String, String>> match, Duration settle) {
        Instant end = Instant.now().plus(settle);
        while (Instant.now().isBefore(end)) {
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        }
        return seen.stream().filter(match).toList();
    }

    public static void assertCloudEvent(ConsumerRecord<String, String> record) {
        Header contentType = record.headers().lastHeader("content-type");
        assertNotNull(contentType, "a structured-mode CloudEvent carries a content-type header");
        assertEquals("application/cloudevents+json; charset=UTF-8", new String(contentType.value(), StandardCharsets.UTF_8));
        JsonNode event = parse(record.value());
        assertEquals("1.0", event.path("specversion").asText(), "specversion");
        for (String attribute : List.of("id", "source", "type", "time")) {
            assertNotNull(event.get(attribute), "CloudEvent attribute " + attribute);
        }
    }

    /** Parses JSON, or yields a missing node for records that are not JSON (so predicates simply do not match). */
    public static JsonNode parse(String value) {
        try {
            return value == null ? JSON.missingNode() : JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return JSON.missingNode();
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
