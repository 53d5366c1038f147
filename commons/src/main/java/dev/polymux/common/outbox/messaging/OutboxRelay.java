package dev.polymux.common.outbox.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
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
 * CloudEvent id). Events are sent one after another and a retriable failure ends the round, so events with the
 * same key keep their order even when the broker is briefly away; the next round retries. An event the broker
 * refuses for good (invalid topic, too large) is set aside as failed, loudly, so it cannot block the ones after it.
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
    private final Counter refused;

    public OutboxRelay(OutboxRepository repository, @Channel("polymux-outbox") MutinyEmitter<String> emitter,
            OutboxConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.emitter = emitter;
        this.config = config;
        this.published = Counter.builder("polymux.outbox.published").description("Outbox events published to Kafka")
                .register(registry);
        this.failures = Counter.builder("polymux.outbox.failures")
                .description("Outbox publication attempts that failed and will be retried").register(registry);
        this.refused = Counter.builder("polymux.outbox.refused")
                .description("Outbox events the broker refused for good; set aside, not retried").register(registry);
        registry.gauge("polymux.outbox.relay.enabled", config.relayEnabled() ? 1 : 0);
    }

    @Scheduled(every = "${polymux.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RelaySkip.class, identity = "polymux-outbox-relay")
    Uni<Void> relayRound() {
        return relayBatch().replaceWithVoid();
    }

    /** Publishes one batch; returns how many events were published. */
    public Uni<Integer> relayBatch() {
        return Panache.withTransaction(() -> repository.claimUnpublished(config.batchSize())
                .flatMap(this::publishInOrder));
    }

    @Scheduled(every = "1h", delayed = "1m", identity = "polymux-outbox-cleanup", skipExecutionIf = RelaySkip.class)
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
                        })
                        .onFailure(OutboxRelay::isPermanent).recoverWithItem(failure -> {
                            setAside(event, failure);
                            return null;
                        }))
                .collect().asList()
                .map(ignored -> (int) events.stream().filter(event -> event.publishedAt != null).count())
                .onFailure().recoverWithUni(failure -> recordFailure(events, failure));
    }

    /** Errors a retry cannot fix. Kafka marks the ones worth retrying (broker away, leader moving...) as retriable. */
    static boolean isPermanent(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof KafkaException)) {
            cause = cause.getCause();
        }
        return cause instanceof KafkaException && !(cause instanceof RetriableException);
    }

    private void setAside(OutboxEvent event, Throwable failure) {
        event.attempts++;
        event.failedAt = Instant.now();
        event.lastError = describe(failure);
        refused.increment();
        LOG.errorf("Kafka refused %s for good; it is kept in outbox_event but will not be retried: %s", event, event.lastError);
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
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

    /** The first unsettled event of the batch is the one that failed; the rest were not tried. */
    private Uni<Integer> recordFailure(List<OutboxEvent> events, Throwable failure) {
        failures.increment();
        int sent = 0;
        for (OutboxEvent event : events) {
            if (event.failedAt != null) {
                continue;
            }
            if (event.publishedAt == null) {
                event.attempts++;
                event.lastError = describe(failure);
                LOG.warnf("Could not publish %s; will retry: %s", event, event.lastError);
                break;
            }
            sent++;
        }
        return Uni.createFrom().item(sent);
    }

    /**
     * Skips relay work while the application is not running (the Kafka emitter is connected only once it has
     * started, and is gone during shutdown) and on replicas where operators turned the relay off.
     */
    @ApplicationScoped
    public static class RelaySkip implements Scheduled.SkipPredicate {

        private final OutboxConfig config;
        private final Scheduled.ApplicationNotRunning applicationNotRunning;

        public RelaySkip(OutboxConfig config, Scheduled.ApplicationNotRunning applicationNotRunning) {
            this.config = config;
            this.applicationNotRunning = applicationNotRunning;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !config.relayEnabled() || applicationNotRunning.test(execution);
        }
    }
}
