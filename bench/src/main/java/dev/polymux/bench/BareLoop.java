package dev.polymux.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.testing.kafka.KafkaBroker;

/**
 * The baseline: a plain Kafka consumer, an HTTP call per record (at most as many at once as the dispatcher allows one
 * installation), a plain producer; each call completes on its own (no batch barrier) and a partition's offsets are
 * committed up to its oldest unfinished call, after that call's result was acknowledged. No registry, credentials
 * service, schema checks, throttling, retries or transactions: what the dispatcher costs is the difference.
 */
final class BareLoop implements AutoCloseable {

    static final String CALLS = "bench.bare-calls.v1";
    static final String RESULTS = "bench.bare-results.v1";

    /** A record's offset, done once its result was acknowledged. */
    private static final class Pending {
        final long offset;
        volatile boolean done;

        Pending(long offset) {
            this.offset = offset;
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Semaphore inFlight;
    private final int concurrency;
    private final Thread loop;
    private volatile boolean running = true;

    /**
     * @param requests the provider request for a call's {@code data}: what a connector manifest says, written out by hand
     */
    BareLoop(Function<JsonNode, HttpRequest> requests, int concurrency, int partitions) {
        KafkaBroker.ensureTopic(CALLS, partitions);
        KafkaBroker.ensureTopic(RESULTS, 3);
        this.concurrency = concurrency;
        this.inFlight = new Semaphore(concurrency);
        loop = Thread.ofPlatform().name("bare-loop").start(() -> run(requests));
    }

    private void run(Function<JsonNode, HttpRequest> requests) {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-bare-loop");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        Map<TopicPartition, ArrayDeque<Pending>> pending = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
                KafkaProducer<String, String> producer = Load.producer()) {
            consumer.subscribe(List.of(CALLS));
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(5))) {
                    Pending call = new Pending(record.offset());
                    pending.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new ArrayDeque<>()).add(call);
                    JsonNode data = json.readTree(record.value()).path("data");
                    String callId = data.path("callId").asText();
                    inFlight.acquireUninterruptibly();
                    http.sendAsync(requests.apply(data), HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                        inFlight.release();
                        String status = failure == null && response.statusCode() == 200 ? "succeeded" : "failed";
                        producer.send(new ProducerRecord<>(RESULTS, record.key(), "{\"callId\":\"" + callId + "\",\"status\":\"" + status + "\"}"),
                                (metadata, error) -> call.done = error == null);
                    });
                }
                commitFinished(consumer, pending);
            }
            inFlight.tryAcquire(concurrency, 10, TimeUnit.SECONDS); // the last calls' results go out before the producer closes
            producer.flush();
            commitFinished(consumer, pending);
        } catch (Exception e) {
            throw new IllegalStateException("The bare loop failed", e);
        }
    }

    /** Each partition's offset moves past the calls finished in order; an unfinished call holds the ones after it. */
    private static void commitFinished(KafkaConsumer<String, String> consumer, Map<TopicPartition, ArrayDeque<Pending>> pending) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        pending.forEach((partition, calls) -> {
            long next = -1;
            while (!calls.isEmpty() && calls.peekFirst().done) {
                next = calls.pollFirst().offset + 1;
            }
            if (next >= 0) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        });
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, null);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.join();
    }
}
