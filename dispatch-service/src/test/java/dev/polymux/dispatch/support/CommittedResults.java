package dev.polymux.dispatch.support;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.KafkaBroker;

/**
 * The tool results a workflow engine can see (read_committed) of the calls whose ids start with a prefix, read from
 * the start of polymux.tool-results.v1 on a thread of their own for as long as a test runs. The moment a result is
 * first seen comes after its commit, and only a poll's length after it: a test can say "this result was committed
 * before that" from it. Per call id: how many results, when the first was seen, its status and which replica
 * published it (its CloudEvents source, see {@link DispatchChild#eventSource()}).
 */
public final class CommittedResults implements AutoCloseable {

    /**
     * A call's results as seen so far: the first one's status, error code and message (empty when it succeeded), source
     * and the moment it was seen (epoch ms).
     */
    public record Seen(int count, long firstSeenAt, String status, String errorCode, String errorMessage, String source) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String callIdPrefix;
    private final Map<String, Seen> byCall = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean reading = true;
    private volatile long lastSeenAt;
    private volatile RuntimeException failure;

    public CommittedResults(String callIdPrefix) {
        this.callIdPrefix = callIdPrefix;
        this.reader = Thread.ofPlatform().daemon().name("committed-results-" + callIdPrefix).start(this::read);
    }

    private void read() {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(EventTopics.TOOL_RESULTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (reading) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    JsonNode result = JSON.readTree(record.value());
                    String callId = result.path("data").path("callId").asText();
                    if (callId.startsWith(callIdPrefix)) {
                        byCall.merge(callId, new Seen(1, now, result.path("data").path("status").asText(),
                                result.path("data").path("error").path("code").asText(), result.path("data").path("error").path("message").asText(),
                                result.path("source").asText()),
                                (first, again) -> new Seen(first.count() + 1, first.firstSeenAt(), first.status(), first.errorCode(),
                                        first.errorMessage(), first.source()));
                        lastSeenAt = now;
                    }
                }
            }
        } catch (InterruptException stopped) {
            // closing
        } catch (IOException | RuntimeException e) {
            failure = new IllegalStateException("The results reader stopped: " + e, e);
        }
    }

    /** Calls with at least one result. */
    public int calls() {
        check();
        return byCall.size();
    }

    public Optional<Seen> of(String callId) {
        check();
        return Optional.ofNullable(byCall.get(callId));
    }

    /** Every call's results seen so far. */
    public Map<String, Seen> snapshot() {
        check();
        return Map.copyOf(byCall);
    }

    /** The calls whose result the replica with this CloudEvents source published, as seen so far. */
    public Set<String> publishedBy(String source) {
        return snapshot().entrySet().stream().filter(seen -> seen.getValue().source().equals(source)).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /** Waits until no result arrived for {@code quiet}: what was committed by then has been read. */
    public void awaitQuiet(Duration quiet, Duration atMost) {
        awaitUntil(() -> System.currentTimeMillis() - lastSeenAt >= quiet.toMillis(), atMost);
    }

    /** Waits for the condition, reading on; false if it did not hold within {@code atMost}. */
    public boolean awaitUntil(BooleanSupplier condition, Duration atMost) {
        Instant until = Instant.now().plus(atMost);
        while (!condition.getAsBoolean()) {
            check();
            if (Instant.now().isAfter(until)) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return true;
    }

    private void check() {
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        reading = false;
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
