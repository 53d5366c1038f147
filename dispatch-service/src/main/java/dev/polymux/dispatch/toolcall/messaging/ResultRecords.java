package dev.polymux.dispatch.toolcall.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.toolcall.service.DispatchMetrics;
import dev.polymux.dispatch.toolcall.service.ToolResults;

/**
 * The Kafka records one outcome publishes, each sized before it is sent so that one record never stops the others: a
 * result over the outcome's budget is replaced by an OUTPUT_TOO_LARGE failure and its call dead-lettered, and a DLQ
 * copy is cut to fit.
 */
@ApplicationScoped
class ResultRecords {

    private static final Logger LOG = Logger.getLogger(ResultRecords.class);
    private static final byte[] STRUCTURED = CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);
    /** Kafka's per-record and batch framing, generously: a record of exactly the budget must still fit a request. */
    private static final int RECORD_OVERHEAD = 160;
    private static final int DETAIL_LIMIT = 1000;

    /** The records of one outcome within its budget, and what to count once they are committed. */
    record Rendered(List<ProducerRecord<byte[], byte[]>> records, Runnable onCommitted) {
    }

    private final ToolResults results;
    private final DispatchMetrics metrics;
    private final ObjectMapper mapper;

    ResultRecords(ToolResults results, DispatchMetrics metrics, ObjectMapper mapper) {
        this.results = results;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    Rendered render(CallOutcome outcome) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<String> deadLettered = new ArrayList<>();
        String label = outcome.label;
        if (outcome.deadLetterReason != null) {
            records.add(deadLetter(outcome, outcome.deadLetterReason, outcome.deadLetterDetail));
            deadLettered.add(outcome.deadLetterReason);
        }
        if (outcome.result != null) {
            byte[] value = json(outcome.result);
            byte[] key = bytes(outcome.result.subject());
            int size = RECORD_OVERHEAD + key.length + value.length + "content-type".length() + STRUCTURED.length;
            if (size <= outcome.budget) {
                records.add(result(key, value));
            } else {
                LOG.warnf("The result of call %s is %d bytes, over the %d a record may have: an OUTPUT_TOO_LARGE result is published"
                        + " instead, and the call is dead-lettered", outcome.result.subject(), size, outcome.budget);
                CloudEvent standIn = results.tooLargeToPublish(outcome.result, size, outcome.budget);
                records.add(result(bytes(standIn.subject()), json(standIn)));
                if (outcome.deadLetterReason == null) {
                    records.add(deadLetter(outcome, "result-too-large", "Its result was " + size + " bytes, over the " + outcome.budget
                            + " bytes a record may have; an OUTPUT_TOO_LARGE result was published instead"));
                    deadLettered.add("result-too-large");
                }
                label = "OUTPUT_TOO_LARGE";
            }
        }
        String counted = label;
        return new Rendered(records, () -> {
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
    private ProducerRecord<byte[], byte[]> deadLetter(CallOutcome outcome, String reason, String detail) {
        ConsumerRecord<byte[], byte[]> record = outcome.record;
        RecordHeaders headers = new RecordHeaders();
        headers.add("polymux-dlq-reason", bytes(reason));
        headers.add("polymux-dlq-detail", bytes(detail.length() > DETAIL_LIMIT ? detail.substring(0, DETAIL_LIMIT) + "..." : detail));
        headers.add("polymux-dlq-source", bytes(outcome.position()));
        headers.add("polymux-dlq-at", bytes(outcome.receivedAt.toString()));
        int budget = outcome.budget - RECORD_OVERHEAD - 128; // 128: room for the headers that say what was cut
        byte[] key = record.key();
        if (key != null && key.length > budget / 8) {
            headers.add("polymux-dlq-key-dropped", bytes(key.length + " bytes"));
            key = null;
        }
        int used = size(headers) + (key == null ? 0 : key.length);
        int theirs = 0;
        int count = 0;
        for (Header header : record.headers()) {
            theirs += header.key().length() + (header.value() == null ? 0 : header.value().length) + 8;
            count++;
        }
        if (used + theirs <= budget / 2) {
            record.headers().forEach(headers::add);
            used += theirs;
        } else if (count > 0) {
            headers.add("polymux-dlq-headers-dropped", bytes(count + " headers, " + theirs + " bytes"));
            used = size(headers) + (key == null ? 0 : key.length);
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        int room = Math.max(0, budget - used);
        if (value.length > room) {
            headers.add("polymux-dlq-truncated", bytes(value.length + " bytes, the first " + room + " kept"));
            value = Arrays.copyOf(value, room);
        }
        return new ProducerRecord<>(EventTopics.TOOL_CALLS_DLQ, null, key, value, headers);
    }

    private static ProducerRecord<byte[], byte[]> result(byte[] key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", STRUCTURED);
        return new ProducerRecord<>(EventTopics.TOOL_RESULTS, null, key, value, headers);
    }

    private byte[] json(CloudEvent event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tool result does not serialize", e);
        }
    }

    private static int size(RecordHeaders headers) {
        int size = 0;
        for (Header header : headers) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length) + 8;
        }
        return size;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
