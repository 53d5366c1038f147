package dev.polymux.dispatch.toolcall.messaging;

import java.time.Duration;
import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.dispatch.toolcall.service.ToolCallReader;

/**
 * What one tool-call record turned into: its result and/or the reason it goes to the DLQ, what metrics count once it is
 * committed, and the record budget its next publishing try has (halved after the broker refused a record as too large).
 */
final class CallOutcome {

    final ConsumerRecord<byte[], byte[]> record;
    final Instant receivedAt;
    final CloudEvent result;
    /** Why the record goes to the DLQ (poison, or a key that is not its connection's); null when it does not. */
    final String deadLetterReason;
    final String deadLetterDetail;
    final String connector;
    final String tool;
    final String label;
    final Duration took;
    int budget;
    /** Its record was in a transaction the broker refused as too large: it is retried in a transaction of its own. */
    boolean suspect;
    /** When it was last taken into a transaction alone (System.nanoTime), so that suspects take turns. */
    long triedAloneAt;

    CallOutcome(ConsumerRecord<byte[], byte[]> record, Instant receivedAt, CloudEvent result, String deadLetterReason,
            String deadLetterDetail, String connector, String tool, String label, Duration took, int budget) {
        this.record = record;
        this.receivedAt = receivedAt;
        this.result = result;
        this.deadLetterReason = deadLetterReason;
        this.deadLetterDetail = deadLetterDetail;
        this.connector = connector;
        this.tool = tool;
        this.label = label;
        this.took = took;
        this.budget = budget;
    }

    static CallOutcome poison(ConsumerRecord<byte[], byte[]> record, Instant receivedAt, CloudEvent result, ToolCallReader.Poison poison,
            int budget) {
        return new CallOutcome(record, receivedAt, result, poison.reason(), poison.detail(), "unresolved", "unknown", "INVALID_EVENT",
                Duration.between(receivedAt, Instant.now()), budget);
    }

    String position() {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
