package dev.polymux.dispatch.toolcall.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.toolcall.service.DispatchMetrics;
import dev.polymux.dispatch.toolcall.service.DispatchProgress;
import dev.polymux.dispatch.toolcall.service.ToolCallExecutor;
import dev.polymux.dispatch.toolcall.service.ToolCallReader;
import dev.polymux.dispatch.toolcall.service.ToolResults;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;

/**
 * polymux.tool-calls.v1 in, exactly one result per call out. Each polled batch runs all its calls at once (each
 * waits on timers and sockets, not threads); then, in one Kafka transaction, their results (and the poison events'
 * DLQ copies) are published and the batch's offsets committed. A replica that dies before the commit leaves nothing
 * visible to read_committed consumers, and the calls are consumed again by whoever takes the partitions; a commit
 * that fails (fenced after a rebalance) is aborted the same way. The batch is the unit of backpressure: the next is
 * polled when this one is committed, so memory holds at most one batch of calls.
 * <p>
 * One record must never stop the others. Every record written is sized before it is sent: a result over
 * {@code polymux.dispatch.max-record-bytes} is replaced by an OUTPUT_TOO_LARGE failure and its call dead-lettered, and
 * a DLQ copy is cut to fit. When a commit fails anyway, the outcomes are kept: the records come back (the connector
 * rewinds to the last commit) and get the outcomes they already had, so no call runs twice because a neighbour's
 * result could not be written. When the broker refused a record as too large, the budget of the batch's records is
 * halved for the next try, so the one that does not fit is replaced and the rest go through.
 */
@ApplicationScoped
public class ToolCallConsumer {

    private static final Logger LOG = Logger.getLogger(ToolCallConsumer.class);
    private static final byte[] STRUCTURED = CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);
    /** Kafka's per-record and batch framing, generously: a record of exactly the budget must still fit a request. */
    private static final int RECORD_OVERHEAD = 160;
    /** Halving stops here: a stand-in result or a cut DLQ copy is about a kilobyte. */
    private static final int SMALLEST_BUDGET = 16 * 1024;
    private static final int DETAIL_LIMIT = 1000;

    /**
     * What one record turned into: its result and/or the reason it goes to the DLQ, what metrics count once it is
     * committed, and the record budget its next publishing try has.
     */
    private static final class Outcome {
        final KafkaRecord<byte[], byte[]> record;
        final Instant receivedAt;
        final CloudEvent result;
        final ToolCallReader.Poison poison;
        final String connector;
        final String tool;
        final String label;
        final Duration took;
        int budget;
        int failedCommits;

        Outcome(KafkaRecord<byte[], byte[]> record, Instant receivedAt, CloudEvent result, ToolCallReader.Poison poison, String connector,
                String tool, String label, Duration took, int budget) {
            this.record = record;
            this.receivedAt = receivedAt;
            this.result = result;
            this.poison = poison;
            this.connector = connector;
            this.tool = tool;
            this.label = label;
            this.took = took;
            this.budget = budget;
        }
    }

    /** The records one outcome publishes within its budget, and what to count once they are committed. */
    private record Rendered(List<Message<byte[]>> messages, Runnable onCommitted) {
    }

    private final KafkaTransactions<byte[]> transactions;
    private final ToolCallReader reader;
    private final ToolCallExecutor executor;
    private final ToolResults results;
    private final DispatchMetrics metrics;
    private final DispatchProgress progress;
    private final DispatchConfig config;
    private final ObjectMapper mapper;
    /** Outcomes whose commit failed, by topic-partition@offset, until their records come back and commit. */
    private final Cache<String, Outcome> uncommitted;

    public ToolCallConsumer(@Channel("tool-results") KafkaTransactions<byte[]> transactions, ToolCallReader reader,
            ToolCallExecutor executor, ToolResults results, DispatchMetrics metrics, DispatchProgress progress, DispatchConfig config,
            ObjectMapper mapper) {
        this.transactions = transactions;
        this.reader = reader;
        this.executor = executor;
        this.results = results;
        this.metrics = metrics;
        this.progress = progress;
        this.config = config;
        this.mapper = mapper;
        // Bounded: outcomes of partitions that moved to another replica are never asked for again.
        this.uncommitted = Caffeine.newBuilder().maximumSize(50_000).expireAfterWrite(Duration.ofMinutes(15)).build();
    }

    @Incoming("tool-calls")
    public Uni<Void> consume(KafkaRecordBatch<byte[], byte[]> batch) {
        progress.polled();
        Instant receivedAt = Instant.now();
        List<Uni<Outcome>> work = new ArrayList<>();
        for (KafkaRecord<byte[], byte[]> record : batch) {
            Outcome earlier = uncommitted.getIfPresent(position(record));
            work.add(earlier != null ? Uni.createFrom().item(earlier) : process(record, receivedAt));
        }
        Uni<List<Outcome>> done = work.isEmpty() ? Uni.createFrom().item(List.of()) : Uni.join().all(work).andFailFast();
        return done.flatMap(outcomes -> publish(batch, outcomes));
    }

    private Uni<Void> publish(KafkaRecordBatch<byte[], byte[]> batch, List<Outcome> outcomes) {
        List<Rendered> rendered = outcomes.stream().map(this::render).toList();
        long committing = System.nanoTime();
        // withTransaction, not withTransactionAndAck: the latter turns an abort into a nack and then an item, so an
        // aborted batch would look committed here.
        return transactions.withTransaction(batch, emitter -> {
            rendered.forEach(records -> records.messages().forEach(emitter::send));
            return Uni.createFrom().voidItem();
        }).call(() -> Uni.createFrom().completionStage(batch.ack())).invoke(() -> {
            outcomes.forEach(outcome -> uncommitted.invalidate(position(outcome.record)));
            progress.committed();
            metrics.batchCommitted(outcomes.size(), System.nanoTime() - committing);
            rendered.forEach(records -> records.onCommitted().run());
        }).onFailure().recoverWithUni(failure -> {
            // Aborted: nothing of this batch is visible, and the consumer was rewound to the last commit. Its records
            // come back and find their outcomes here.
            boolean tooLarge = causedBy(failure, RecordTooLargeException.class);
            for (Outcome outcome : outcomes) {
                outcome.failedCommits++;
                if (tooLarge) {
                    outcome.budget = Math.max(SMALLEST_BUDGET, outcome.budget / 2);
                }
                uncommitted.put(position(outcome.record), outcome);
            }
            LOG.warnf("A batch of %d tool calls was not committed (%s%s); its records will be consumed again and get the results"
                    + " they already have", outcomes.size(), failure.getClass().getSimpleName(),
                    tooLarge ? ": the broker refused a record as too large; records of this batch now get at most "
                            + outcomes.stream().mapToInt(outcome -> outcome.budget).min().orElse(0) + " bytes" : "");
            // A commit that keeps failing must not spin: wait a little longer each time before the records come back.
            int tries = outcomes.stream().mapToInt(outcome -> outcome.failedCommits).max().orElse(1);
            Duration pause = Duration.ofMillis(Math.min(5_000, 100L << Math.min(tries - 1, 6)));
            return Uni.createFrom().voidItem().onItem().delayIt().by(pause);
        });
    }

    private Uni<Outcome> process(KafkaRecord<byte[], byte[]> record, Instant receivedAt) {
        return switch (reader.read(record.getPayload())) {
            case ToolCallReader.Valid valid -> executor.execute(valid.call(), receivedAt)
                    .map(executed -> new Outcome(record, receivedAt, executed.result(), null, executed.connector(), executed.tool(),
                            executed.outcome(), executed.took(), config.maxRecordBytes()));
            case ToolCallReader.Poison poison -> Uni.createFrom().item(() -> {
                long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L);
                LOG.warnf("Poison tool call at %s-%d@%d (%s%s): sent to the DLQ", record.getTopic(), record.getPartition(), offset,
                        poison.reason(), poison.callId().map(id -> ", call " + id).orElse(""));
                CloudEvent result = poison.callId().isPresent() ? results.invalidEvent(poison, receivedAt) : null;
                return new Outcome(record, receivedAt, result, poison, "unresolved", "unknown", "INVALID_EVENT",
                        Duration.between(receivedAt, Instant.now()), config.maxRecordBytes());
            });
        };
    }

    /** The outcome's records within its budget: a result that does not fit is replaced, and its call dead-lettered. */
    private Rendered render(Outcome outcome) {
        List<Message<byte[]>> messages = new ArrayList<>();
        List<String> deadLettered = new ArrayList<>();
        String label = outcome.label;
        if (outcome.poison != null) {
            messages.add(deadLetter(outcome, outcome.poison.reason(), outcome.poison.detail()));
            deadLettered.add(outcome.poison.reason());
        }
        if (outcome.result != null) {
            byte[] value = json(outcome.result);
            byte[] key = bytes(outcome.result.subject());
            int size = RECORD_OVERHEAD + key.length + value.length + "content-type".length() + STRUCTURED.length;
            if (size <= outcome.budget) {
                messages.add(result(key, value));
            } else {
                LOG.warnf("The result of call %s is %d bytes, over the %d a record may have: an OUTPUT_TOO_LARGE result is published"
                        + " instead, and the call is dead-lettered", outcome.result.subject(), size, outcome.budget);
                CloudEvent standIn = results.tooLargeToPublish(outcome.result, size, outcome.budget);
                messages.add(result(bytes(standIn.subject()), json(standIn)));
                if (outcome.poison == null) {
                    messages.add(deadLetter(outcome, "result-too-large", "Its result was " + size + " bytes, over the " + outcome.budget
                            + " bytes a record may have; an OUTPUT_TOO_LARGE result was published instead"));
                    deadLettered.add("result-too-large");
                }
                label = "OUTPUT_TOO_LARGE";
            }
        }
        String counted = label;
        return new Rendered(messages, () -> {
            deadLettered.forEach(metrics::deadLettered);
            if (outcome.result != null) {
                metrics.result(outcome.connector, outcome.tool, counted, outcome.took);
            }
        });
    }

    /**
     * The event on the DLQ with the reason in headers, cut to fit the budget: its own headers are dropped first when
     * they would take more than half of it, then the value is cut; headers say what was cut.
     */
    private Message<byte[]> deadLetter(Outcome outcome, String reason, String detail) {
        KafkaRecord<byte[], byte[]> record = outcome.record;
        long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L);
        RecordHeaders headers = new RecordHeaders();
        headers.add("polymux-dlq-reason", bytes(reason));
        headers.add("polymux-dlq-detail", bytes(detail.length() > DETAIL_LIMIT ? detail.substring(0, DETAIL_LIMIT) + "..." : detail));
        headers.add("polymux-dlq-source", bytes(record.getTopic() + "-" + record.getPartition() + "@" + offset));
        headers.add("polymux-dlq-at", bytes(outcome.receivedAt.toString()));
        int budget = outcome.budget - RECORD_OVERHEAD - 128; // 128: room for the headers that say what was cut
        byte[] key = record.getKey();
        if (key != null && key.length > budget / 8) {
            headers.add("polymux-dlq-key-dropped", bytes(key.length + " bytes"));
            key = null;
        }
        int used = size(headers) + (key == null ? 0 : key.length);
        int theirs = 0;
        int count = 0;
        for (Header header : record.getHeaders()) {
            theirs += header.key().length() + (header.value() == null ? 0 : header.value().length) + 8;
            count++;
        }
        if (used + theirs <= budget / 2) {
            record.getHeaders().forEach(headers::add);
            used += theirs;
        } else if (count > 0) {
            headers.add("polymux-dlq-headers-dropped", bytes(count + " headers, " + theirs + " bytes"));
            used = size(headers) + (key == null ? 0 : key.length);
        }
        byte[] value = record.getPayload() == null ? new byte[0] : record.getPayload();
        int room = Math.max(0, budget - used);
        if (value.length > room) {
            headers.add("polymux-dlq-truncated", bytes(value.length + " bytes, the first " + room + " kept"));
            value = Arrays.copyOf(value, room);
        }
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<byte[]>builder().withTopic(EventTopics.TOOL_CALLS_DLQ).withKey(key)
                .withHeaders(headers).build());
    }

    private Message<byte[]> result(byte[] key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", STRUCTURED);
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<byte[]>builder().withTopic(EventTopics.TOOL_RESULTS)
                .withKey(key).withHeaders(headers).build());
    }

    private byte[] json(CloudEvent event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tool result does not serialize", e);
        }
    }

    private static String position(KafkaRecord<byte[], byte[]> record) {
        long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L);
        return record.getTopic() + "-" + record.getPartition() + "@" + offset;
    }

    private static int size(RecordHeaders headers) {
        int size = 0;
        for (Header header : headers) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length) + 8;
        }
        return size;
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
