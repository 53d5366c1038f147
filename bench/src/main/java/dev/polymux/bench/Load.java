package dev.polymux.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.IntFunction;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.testing.kafka.KafkaBroker;

/**
 * One measured run: publishes calls to a topic (all at once, or at a steady rate), reads their results from another
 * with a read_committed consumer (as a workflow engine reads them), and reports calls/s and end-to-end latency
 * (publish to result read), for all calls and for each group of calls a scenario names (the mix's fast and slow ones).
 */
final class Load {

    /** A call to publish: its Kafka key, the group it is counted in, and its event given the call id. */
    record Call(String key, String group, Function<String, String> event) {
    }

    /** What a run measured, for all its calls or for one group. */
    record Figures(String pipeline, String scenario, int calls, int received, double callsPerSecond, double p50, double p95,
            double p99, double max, long failed, String firstFailure, double toDispatcherP50, double insideP50, double toReaderP50) {

        boolean hasTimings() {
            return insideP50 >= 0;
        }
    }

    /**
     * All calls of a run, and each group separately (calls/s is only meaningful for the whole run); and how many
     * results each publisher sent (their CloudEvents source: each dispatcher replica names itself).
     */
    record Run(Figures all, Map<String, Figures> groups, Map<String, Integer> resultsBySource) {

        Figures group(String name) {
            return groups.get(name);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a run waits for results after the last call went out: calls that take longer count as failed. */
    private static final Duration RESULT_GRACE = Duration.ofSeconds(60);

    /** One call's record: written by the publisher and the reader threads. */
    private static final class Sample {
        final String group;
        volatile long publishedNanos;
        volatile long publishedMillis;
        volatile long receivedNanos;
        volatile boolean succeeded;
        volatile String error;
        volatile String source;
        volatile double toDispatcher = -1;
        volatile double inside = -1;
        volatile double toReader = -1;

        Sample(String group) {
            this.group = group;
        }
    }

    private Load() {
    }

    /**
     * @param perSecond 0: publish every call at once (throughput); otherwise at this steady rate (latency)
     * @param callAt    the i-th call
     */
    static Run run(String pipeline, String scenario, String callsTopic, String resultsTopic, int calls, int perSecond,
            IntFunction<Call> callAt) throws Exception {
        Map<String, Sample> samples = new ConcurrentHashMap<>();
        List<String> ids = new ArrayList<>(calls);
        List<Call> planned = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            String id = "bench-" + UUID.randomUUID();
            Call call = callAt.apply(i);
            ids.add(id);
            planned.add(call);
            samples.put(id, new Sample(call.group()));
        }
        try (KafkaConsumer<String, String> results = consumer(resultsTopic); KafkaProducer<String, String> producer = producer()) {
            awaitAssignment(results);
            long start = System.nanoTime();
            Thread publisher = Thread.ofPlatform().name("bench-publisher").start(() -> {
                for (int i = 0; i < calls; i++) {
                    if (perSecond > 0) {
                        // Parked, not spinning: on two cores a spinning publisher takes a core from what it measures.
                        long due = start + (long) (i * 1e9 / perSecond);
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    String id = ids.get(i);
                    Call call = planned.get(i);
                    Sample sample = samples.get(id);
                    ProducerRecord<String, String> record = new ProducerRecord<>(callsTopic, call.key(), call.event().apply(id));
                    record.headers().add("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));
                    sample.publishedMillis = System.currentTimeMillis();
                    sample.publishedNanos = System.nanoTime();
                    producer.send(record);
                }
                producer.flush();
            });
            int received = 0;
            long lastPublished = Long.MAX_VALUE;
            while (received < calls) {
                if (!publisher.isAlive() && lastPublished == Long.MAX_VALUE) {
                    lastPublished = System.nanoTime();
                }
                if (System.nanoTime() - lastPublished > RESULT_GRACE.toNanos()) {
                    break;
                }
                for (ConsumerRecord<String, String> record : results.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    received += read(record.value(), now, samples);
                }
            }
            publisher.join();
            return figures(pipeline, scenario, calls, start, samples);
        }
    }

    /** Records a result of one of this run's calls: 1 if it was the first for its call, else 0. */
    private static int read(String value, long now, Map<String, Sample> samples) throws Exception {
        JsonNode event = JSON.readTree(value);
        JsonNode data = event.has("data") ? event.path("data") : event; // the bare loop's results are flat
        Sample sample = samples.get(data.path("callId").asText());
        if (sample == null || sample.receivedNanos != 0) {
            return 0;
        }
        sample.source = event.path("source").asText("bare loop");
        sample.succeeded = "succeeded".equals(data.path("status").asText());
        if (!sample.succeeded) {
            sample.error = data.path("error").path("code").asText("failed");
        }
        JsonNode timings = data.path("timings");
        if (timings.has("durationMs")) {
            // Wall clocks of one machine: to dispatcher = publish to arrival; to reader = result built to read here.
            sample.inside = timings.path("durationMs").asDouble();
            sample.toDispatcher = Instant.parse(timings.path("receivedAt").asText()).toEpochMilli() - sample.publishedMillis;
            sample.toReader = System.currentTimeMillis() - Instant.parse(timings.path("finishedAt").asText()).toEpochMilli();
        }
        sample.receivedNanos = now;
        return 1;
    }

    private static Run figures(String pipeline, String scenario, int calls, long start, Map<String, Sample> samples) {
        Map<String, List<Sample>> byGroup = new LinkedHashMap<>();
        samples.values().forEach(sample -> byGroup.computeIfAbsent(sample.group, group -> new ArrayList<>()).add(sample));
        long end = samples.values().stream().mapToLong(sample -> sample.receivedNanos).max().orElse(start);
        Figures all = figures(pipeline, scenario, List.copyOf(samples.values()), (end - start) / 1e9);
        Map<String, Figures> groups = new LinkedHashMap<>();
        byGroup.forEach((group, members) -> groups.put(group, figures(pipeline, scenario + " — " + group, members, Double.NaN)));
        Map<String, Integer> sources = new java.util.TreeMap<>();
        samples.values().stream().filter(sample -> sample.source != null).forEach(sample -> sources.merge(sample.source, 1, Integer::sum));
        return new Run(all, groups, sources);
    }

    private static Figures figures(String pipeline, String scenario, List<Sample> samples, double seconds) {
        List<Sample> received = samples.stream().filter(sample -> sample.receivedNanos != 0).toList();
        List<Double> latencies = received.stream().map(sample -> (sample.receivedNanos - sample.publishedNanos) / 1e6).sorted().toList();
        long failed = samples.size() - received.stream().filter(sample -> sample.succeeded).count();
        String firstFailure = received.stream().filter(sample -> !sample.succeeded).map(sample -> sample.error).findFirst()
                .orElse(received.size() < samples.size() ? "no result within " + RESULT_GRACE.toSeconds() + " s" : null);
        List<Double> timed = received.stream().filter(sample -> sample.inside >= 0).map(sample -> sample.inside).sorted().toList();
        return new Figures(pipeline, scenario, samples.size(), received.size(), Double.isNaN(seconds) ? Double.NaN : received.size() / seconds,
                percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99), latencies.isEmpty() ? 0 : latencies.getLast(),
                failed, firstFailure,
                timed.isEmpty() ? -1 : percentile(received.stream().filter(s -> s.toDispatcher >= 0).map(s -> s.toDispatcher).sorted().toList(), 50),
                timed.isEmpty() ? -1 : percentile(timed, 50),
                timed.isEmpty() ? -1 : percentile(received.stream().filter(s -> s.toReader >= 0).map(s -> s.toReader).sorted().toList(), 50));
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    /** Joined and positioned at the end of every partition before the first call goes out, so no result is missed. */
    private static void awaitAssignment(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The results reader was not assigned its partitions within 30 s");
            }
            consumer.poll(Duration.ofMillis(50));
        }
        consumer.assignment().forEach(consumer::position);
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
