package dev.polymux.common.outbox.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.outbox.OutboxConfig;
import dev.polymux.common.outbox.OutboxEvent;
import dev.polymux.common.outbox.repository.OutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes committed outbox events to Kafka, oldest first, at least once (consumers de-duplicate on the
 * CloudEvent id). Events are sent one after another and a failure ends the round, so events with the same key
 * keep their order even when the broker is briefly away; the next round retries.
 */
@Startup // its meters exist (at 0) from the start, not from its first round
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxRepository repository;
    private final MutinyEmitter<String> emitter;
    private final OutboxConfig config;
    private final Counter published;
    private final Counter failures;

    public OutboxRelay(OutboxRepository repository, @Channel("polymux-outbox") MutinyEmitter<String> emitter,
            OutboxConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.emitter = emitter;
        this.config = config;
        this.published = Counter.builder("polymux.outbox.published").description("Outbox events published to Kafka")
                .register(registry);
        this.failures = Counter.builder("polymux.outbox.failures")
                .description("Outbox publication attempts that failed and will be retried").register(registry);
        registry.gauge("polymux.outbox.relay.enabled", config.relayEnabled() ? 1 : 0);
    }

    @Scheduled(every = "${polymux.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RelayDisabled.class, identity = "polymux-outbox-relay")
    Uni<Void> relayRound() {
        return relayBatch().replaceWithVoid();
    }

    /** Publishes one batch; returns how many events were published. */
    public Uni<Integer> relayBatch() {
        return Panache.withTransaction(() -> repository.claimUnpublished(config.batchSize())
                .flatMap(this::publishInOrder));
    }

    @Scheduled(every = "1h", delayed = "1m", identity = "polymux-outbox-cleanup", skipExecutionIf = RelayDisabled.class)
    Uni<Void> deleteOldPublishedEvents() {
        return Panache.withTransaction(() -> repository.deletePublishedBefore(Instant.now().minus(config.retention())))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        LOG.debugf("Deleted %d published outbox events", deleted);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Integer> publishInOrder(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Multi.createFrom().iterable(events)
                .onItem().transformToUniAndConcatenate(event -> send(event)
                        .onItem().invoke(ignored -> {
                            event.publishedAt = Instant.now();
                            event.attempts++;
                            published.increment();
                        }))
                .collect().asList()
                .map(List::size)
                .onFailure().recoverWithUni(failure -> recordFailure(events, failure));
    }

    private Uni<Void> send(OutboxEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withTopic(event.topic)
                .withKey(event.messageKey)
                .withHeaders(headers)
                .build();
        return emitter.sendMessage(Message.of(event.payload).addMetadata(metadata));
    }

    /** The first unpublished event of the batch is the one that failed; the rest were not tried. */
    private Uni<Integer> recordFailure(List<OutboxEvent> events, Throwable failure) {
        failures.increment();
        int sent = 0;
        for (OutboxEvent event : events) {
            if (event.publishedAt == null) {
                event.attempts++;
                event.lastError = failure.getClass().getSimpleName() + ": " + failure.getMessage();
                LOG.warnf("Could not publish %s; will retry: %s", event, event.lastError);
                break;
            }
            sent++;
        }
        return Uni.createFrom().item(sent);
    }

    /** Lets operators turn the relay off on some replicas without touching the code. */
    @ApplicationScoped
    public static class RelayDisabled implements Scheduled.SkipPredicate {

        private final OutboxConfig config;

        public RelayDisabled(OutboxConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !config.relayEnabled();
        }
    }
}
