package dev.polymux.persistence.outbox.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.persistence.outbox.OutboxConfig;
import dev.polymux.persistence.outbox.OutboxEvent;
import dev.polymux.persistence.outbox.repository.OutboxRepository;
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
 * CloudEvent id). One replica relays per database at a time (an advisory lock): two relaying at once would send
 * neighbouring batches together and events of one key could overtake each other. A batch is sent pipelined, in
 * order (the producer is idempotent, so a partition keeps that order), and a round goes on while batches are full.
 * Only the events up to the first retriable failure count as published; the rest go again next round (consumers
 * drop the copies). An event the broker refuses for good (invalid topic, too large) is set aside as failed, loudly,
 * so it cannot block the ones after it. {@code polymux.outbox.backlog} is what waits.
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
    private final java.util.concurrent.atomic.AtomicLong backlog = new java.util.concurrent.atomic.AtomicLong();

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
        io.micrometer.core.instrument.Gauge.builder("polymux.outbox.backlog", backlog, java.util.concurrent.atomic.AtomicLong::get)
                .description("Outbox events committed and not yet published (counted by every replica at each round)").register(registry);
    }

    @Scheduled(every = "${polymux.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RelaySkip.class, identity = "polymux-outbox-relay")
    Uni<Void> relayRound() {
        // A full batch says more is waiting: the round goes on rather than waiting a poll interval per batch.
        return Multi.createBy().repeating().uni(this::relayBatch).whilst(sent -> sent == config.batchSize())
                .collect().last()
                .call(() -> Panache.withSession(repository::countUnpublished).invoke(backlog::set))
                .replaceWithVoid();
    }

    /** Publishes one batch if this replica holds the relay; returns how many events were published (0 if another relays). */
    public Uni<Integer> relayBatch() {
        return Panache.withTransaction(() -> repository.tryRelayLock().flatMap(held -> held
                ? repository.claimUnpublished(config.batchSize()).flatMap(this::publishInOrder)
                : Uni.createFrom().item(0)));
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

    /** At most this many sends of a batch wait for their acknowledgement at once. */
    private static final int IN_FLIGHT = 64;

    private Uni<Integer> publishInOrder(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // Subscribed in order, so sent in order; acknowledgements may come back in any order and are matched by event.
        return Multi.createFrom().iterable(events)
                .onItem().transformToUni(event -> send(event).replaceWith(Sent.ok(event)).onFailure().recoverWithItem(failure -> Sent.failed(event, failure)))
                .merge(IN_FLIGHT)
                .collect().asMap(Sent::event)
                .map(outcomes -> settle(events, outcomes));
    }

    private record Sent(OutboxEvent event, Throwable failure) {
        static Sent ok(OutboxEvent event) {
            return new Sent(event, null);
        }

        static Sent failed(OutboxEvent event, Throwable failure) {
            return new Sent(event, failure);
        }
    }

    /**
     * Marks the batch in its order: published up to the first retriable failure, refused-for-good ones set aside; from
     * the first retriable failure on nothing counts as published, so the next round sends those again in order.
     */
    private int settle(List<OutboxEvent> events, Map<OutboxEvent, Sent> outcomes) {
        int sent = 0;
        Throwable retriable = null;
        for (OutboxEvent event : events) {
            Throwable failure = outcomes.get(event).failure();
            if (retriable == null && failure == null) {
                event.publishedAt = Instant.now();
                event.attempts++;
                published.increment();
                sent++;
            } else if (retriable == null && isPermanent(failure)) {
                setAside(event, failure);
            } else if (retriable == null) {
                retriable = failure;
                failures.increment();
                event.attempts++;
                event.lastError = describe(failure);
                LOG.warnf("Could not publish %s; it and the %d after it go again next round: %s", event,
                        events.size() - events.indexOf(event) - 1, event.lastError);
            }
        }
        return sent;
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
