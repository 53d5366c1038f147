package dev.polymux.persistence.outbox.service;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.persistence.outbox.OutboxEvent;
import dev.polymux.persistence.outbox.repository.OutboxRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Records events to publish. Call it inside the transaction that makes the change the event announces:
 * both commit or neither does. The relay sends committed events to Kafka, in order.
 */
@ApplicationScoped
public class OutboxService {

    private final OutboxRepository repository;
    private final ObjectMapper mapper;

    public OutboxService(OutboxRepository repository, ObjectMapper mapper) {
        this.repository = repository;
        this.mapper = mapper;
    }

    /** Joins the caller's transaction when there is one. */
    @WithTransaction
    public Uni<OutboxEvent> enqueue(String topic, String key, CloudEvent event) {
        OutboxEvent row = new OutboxEvent();
        row.eventId = UUID.fromString(event.id());
        row.topic = topic;
        row.messageKey = key;
        row.eventType = event.type();
        row.payload = toJson(event);
        row.createdAt = Instant.now();
        return repository.persist(row);
    }

    private String toJson(CloudEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            // Only our own records are serialized here; failing means a programming error, not bad input.
            throw new IllegalStateException("Cannot serialize event of type " + event.type(), e);
        }
    }
}
