package dev.polymux.persistence.outbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An event written in the same database transaction as the state change it announces, and published to
 * Kafka afterwards by the relay. So a state change is never committed without its event, nor an event sent
 * for a change that rolled back. Published rows are kept a while for inspection, then deleted.
 */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent {

    /** Also the publication order. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** The CloudEvent id. */
    @Column(name = "event_id", nullable = false, updatable = false)
    public UUID eventId;

    @Column(nullable = false, updatable = false)
    public String topic;

    @Column(name = "message_key", updatable = false)
    public String messageKey;

    @Column(name = "event_type", nullable = false, updatable = false)
    public String eventType;

    /** The whole CloudEvent as JSON (structured mode). */
    @Column(nullable = false, updatable = false)
    public String payload;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "published_at")
    public Instant publishedAt;

    public int attempts;

    /** Why the last publication attempt failed (exception type and broker message; never the payload). */
    @Column(name = "last_error")
    public String lastError;

    /** When the broker refused the event for good; such events are kept for inspection and not retried. */
    @Column(name = "failed_at")
    public Instant failedAt;

    public Long getId() {
        return id;
    }

    public Instant getPublishedAt() {
        return publishedAt;
    }

    public Instant getFailedAt() {
        return failedAt;
    }

    public String getLastError() {
        return lastError;
    }

    @Override
    public String toString() {
        // The payload stays out of log lines.
        return "OutboxEvent[id=" + id + ", eventId=" + eventId + ", topic=" + topic + ", type=" + eventType
                + ", publishedAt=" + publishedAt + ", failedAt=" + failedAt + ", attempts=" + attempts + "]";
    }
}
