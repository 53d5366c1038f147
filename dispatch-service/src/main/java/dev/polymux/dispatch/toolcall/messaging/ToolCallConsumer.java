package dev.polymux.dispatch.toolcall.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.toolcall.service.DispatchMetrics;
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
 */
@ApplicationScoped
public class ToolCallConsumer {

    private static final Logger LOG = Logger.getLogger(ToolCallConsumer.class);
    private static final byte[] STRUCTURED = CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    /** What one record turned into: the records to publish, and what to count once they are committed. */
    private record Outcome(List<Message<byte[]>> messages, Runnable onCommitted) {
    }

    private final KafkaTransactions<byte[]> transactions;
    private final ToolCallReader reader;
    private final ToolCallExecutor executor;
    private final ToolResults results;
    private final DispatchMetrics metrics;
    private final ObjectMapper mapper;

    public ToolCallConsumer(@Channel("tool-results") KafkaTransactions<byte[]> transactions, ToolCallReader reader,
            ToolCallExecutor executor, ToolResults results, DispatchMetrics metrics, ObjectMapper mapper) {
        this.transactions = transactions;
        this.reader = reader;
        this.executor = executor;
        this.results = results;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    @Incoming("tool-calls")
    public Uni<Void> consume(KafkaRecordBatch<byte[], byte[]> batch) {
        Instant receivedAt = Instant.now();
        List<Uni<Outcome>> work = new ArrayList<>();
        for (KafkaRecord<byte[], byte[]> record : batch) {
            work.add(process(record, receivedAt));
        }
        Uni<List<Outcome>> done = work.isEmpty() ? Uni.createFrom().item(List.of()) : Uni.join().all(work).andFailFast();
        return done.flatMap(outcomes -> {
            long committing = System.nanoTime();
            return transactions.withTransactionAndAck(batch, emitter -> {
                outcomes.forEach(outcome -> outcome.messages().forEach(emitter::send));
                return Uni.createFrom().voidItem();
            }).invoke(() -> {
                metrics.batchCommitted(outcomes.size(), System.nanoTime() - committing);
                outcomes.forEach(outcome -> outcome.onCommitted().run());
            });
        })
                .onFailure().recoverWithItem(failure -> {
                    // Aborted: nothing of this batch is visible, and the consumer was rewound to the last commit.
                    LOG.warnf("A batch of %d tool calls was not committed (%s); it will be consumed again", batch.getRecords().size(),
                            failure.getClass().getSimpleName());
                    return null;
                });
    }

    private Uni<Outcome> process(KafkaRecord<byte[], byte[]> record, Instant receivedAt) {
        return switch (reader.read(record.getPayload())) {
            case ToolCallReader.Valid valid -> executor.execute(valid.call(), receivedAt)
                    .map(executed -> new Outcome(List.of(result(executed.result())),
                            () -> metrics.result(executed.connector(), executed.tool(), executed.outcome(), executed.took())));
            case ToolCallReader.Poison poison -> Uni.createFrom().item(() -> deadLetter(record, poison, receivedAt));
        };
    }

    /** The event unchanged on the DLQ with the reason in headers, and an INVALID_EVENT result when a call id was readable. */
    private Outcome deadLetter(KafkaRecord<byte[], byte[]> record, ToolCallReader.Poison poison, Instant receivedAt) {
        long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L);
        LOG.warnf("Poison tool call at %s-%d@%d (%s%s): sent to the DLQ", record.getTopic(), record.getPartition(), offset,
                poison.reason(), poison.callId().map(id -> ", call " + id).orElse(""));
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.getHeaders()) {
            headers.add(header);
        }
        headers.add("polymux-dlq-reason", bytes(poison.reason()));
        headers.add("polymux-dlq-detail", bytes(poison.detail()));
        headers.add("polymux-dlq-source", bytes(record.getTopic() + "-" + record.getPartition() + "@" + offset));
        headers.add("polymux-dlq-at", bytes(receivedAt.toString()));
        List<Message<byte[]>> messages = new ArrayList<>();
        messages.add(Message.of(record.getPayload() == null ? new byte[0] : record.getPayload())
                .addMetadata(OutgoingKafkaRecordMetadata.<byte[]>builder().withTopic(EventTopics.TOOL_CALLS_DLQ).withKey(record.getKey())
                        .withHeaders(headers).build()));
        if (poison.callId().isPresent()) {
            messages.add(result(results.invalidEvent(poison, receivedAt)));
        }
        return new Outcome(messages, () -> {
            metrics.deadLettered(poison.reason());
            if (poison.callId().isPresent()) {
                metrics.result("unresolved", "unknown", "INVALID_EVENT", java.time.Duration.between(receivedAt, Instant.now()));
            }
        });
    }

    private Message<byte[]> result(CloudEvent event) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tool result does not serialize", e);
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", STRUCTURED);
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<byte[]>builder().withTopic(EventTopics.TOOL_RESULTS)
                .withKey(bytes(event.subject())).withHeaders(headers).build());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
