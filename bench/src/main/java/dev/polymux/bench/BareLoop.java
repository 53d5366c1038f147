package dev.polymux.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.testing.kafka.KafkaBroker;

/**
 * The baseline: a plain Kafka consumer, an HTTP call per record (as many at once as the dispatcher allows one
 * installation), a plain producer, offsets committed after each batch. No registry, credentials, schema checks,
 * throttling, retries or transactions: what the dispatcher costs is the difference.
 */
final class BareLoop implements AutoCloseable {

    static final String CALLS = "bench.bare-calls.v1";
    static final String RESULTS = "bench.bare-results.v1";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Thread loop;
    private volatile boolean running = true;

    BareLoop(String providerUrl, String apiKey, int concurrency) {
        KafkaBroker.ensureTopic(CALLS, 3);
        KafkaBroker.ensureTopic(RESULTS, 3);
        loop = Thread.ofPlatform().name("bare-loop").start(() -> run(providerUrl, apiKey, concurrency));
    }

    private void run(String providerUrl, String apiKey, int concurrency) {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-bare-loop");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        Semaphore inFlight = new Semaphore(concurrency);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
                KafkaProducer<String, String> producer = Load.producer()) {
            consumer.subscribe(List.of(CALLS));
            while (running) {
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    JsonNode call = json.readTree(record.value());
                    String callId = call.path("data").path("callId").asText();
                    inFlight.acquireUninterruptibly();
                    HttpRequest request = HttpRequest.newBuilder(URI.create(providerUrl + "/widgets/" + call.path("data").path("arguments").path("id").asText()))
                            .header("X-Api-Key", apiKey).GET().build();
                    batch.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                        inFlight.release();
                        String status = failure == null && response.statusCode() == 200 ? "succeeded" : "failed";
                        producer.send(new ProducerRecord<>(RESULTS, callId, "{\"callId\":\"" + callId + "\",\"status\":\"" + status + "\"}"));
                        return null;
                    }));
                }
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
                producer.flush();
                consumer.commitSync();
            }
        } catch (Exception e) {
            throw new IllegalStateException("The bare loop failed", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.join();
    }
}
