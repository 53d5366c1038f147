package dev.polymux.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.testing.kafka.KafkaBroker;

/**
 * One measured run: publishes calls to a topic (all at once, or paced), reads their results from another with a
 * read_committed consumer, and reports calls/s and end-to-end latency (publish to result, as the engine sees it).
 */
final class Load {

    /** What a run measured. */
    record Figures(String pipeline, String scenario, int calls, double callsPerSecond, double p50, double p95, double p99, double max,
            long failures, double insideP50, double beforeP50, double afterP50) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Load() {
    }

    /**
     * @param event   the call event for a call id
     * @param perSecond 0: publish everything at once (throughput); otherwise a steady rate (latency)
     */
    static Figures run(String pipeline, String scenario, String callsTopic, String resultsTopic, int calls, int perSecond,
            Function<String, String> event) throws Exception {
        Map<String, Long> published = new ConcurrentHashMap<>();
        Map<String, Long> received = new ConcurrentHashMap<>();
        Map<String, Boolean> succeeded = new ConcurrentHashMap<>();
        List<Double> inside = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        Map<String, Long> publishedAtMillis = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, String> results = consumer(resultsTopic); KafkaProducer<String, String> producer = producer()) {
            results.poll(Duration.ofMillis(500)); // joined before the first call goes out
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                ids.add("bench-" + UUID.randomUUID());
            }
            long start = System.nanoTime();
            Thread publisher = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < ids.size(); i++) {
                    if (perSecond > 0) {
                        long due = start + (long) (i * 1e9 / perSecond);
                        while (System.nanoTime() < due) {
                            Thread.onSpinWait();
                        }
                    }
                    String id = ids.get(i);
                    published.put(id, System.nanoTime());
                    publishedAtMillis.put(id, System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(callsTopic, id, event.apply(id)));
                }
                producer.flush();
            });
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (received.size() < calls && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : results.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    var json = JSON.readTree(record.value());
                    String id = json.path("data").path("callId").asText(json.path("callId").asText());
                    if (published.containsKey(id) && received.putIfAbsent(id, now) == null) {
                        succeeded.put(id, "succeeded".equals(json.path("data").path("status").asText(json.path("status").asText())));
                        var timings = json.path("data").path("timings");
                        if (timings.has("durationMs")) {
                            inside.add(timings.path("durationMs").asDouble());
                            // Wall clocks of one machine: before = publish to arrival in a batch; after = result built to read.
                            before.add((double) (java.time.Instant.parse(timings.path("receivedAt").asText()).toEpochMilli() - publishedAtMillis.get(id)));
                            after.add((double) (System.currentTimeMillis() - java.time.Instant.parse(timings.path("finishedAt").asText()).toEpochMilli()));
                        }
                    }
                }
            }
            publisher.join();
            long end = received.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
            List<Double> latencies = new ArrayList<>();
            received.forEach((id, at) -> latencies.add((at - published.get(id)) / 1e6));
            Collections.sort(latencies);
            return new Figures(pipeline, scenario, received.size(), received.size() / ((end - start) / 1e9), percentile(latencies, 50),
                    percentile(latencies, 95), percentile(latencies, 99), latencies.isEmpty() ? 0 : latencies.getLast(),
                    calls - succeeded.values().stream().filter(ok -> ok).count(), percentile(inside.stream().sorted().toList(), 50),
                    percentile(before.stream().sorted().toList(), 50), percentile(after.stream().sorted().toList(), 50));
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static KafkaConsumer<String, String> consumer(String topic) {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A results reader that wants them quickly does not let the broker hold a fetch for 500 ms (the default).
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    static KafkaProducer<String, String> producer() {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
