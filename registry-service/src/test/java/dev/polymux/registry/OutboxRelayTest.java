package dev.polymux.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.persistence.outbox.OutboxEvent;
import dev.polymux.persistence.outbox.repository.OutboxRepository;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.reactive.OnVertxContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The outbox relay (commons) against the real broker, where the broker refuses an event for good. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class OutboxRelayTest {

    @Inject
    OutboxService outbox;

    @Inject
    OutboxRepository repository;

    @Inject
    dev.polymux.persistence.outbox.messaging.OutboxRelay relay;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Test
    void anEventTheBrokerRefusesIsSetAsideAndDoesNotBlockTheNextOne() {
        String topic = "polymux.outbox-check.v1";
        try (KafkaEvents events = KafkaEvents.watch(topic)) {
            CloudEvent refused = event();
            CloudEvent next = event();
            OutboxEvent refusedRow = OnVertxContext.await(() -> Panache.withTransaction(() -> outbox
                    .enqueue("not a valid topic name!", "k", refused)
                    .call(() -> outbox.enqueue(topic, "k", next))));

            events.awaitCloudEvent(json -> next.id().equals(json.path("id").asText()));

            await().atMost(10, TimeUnit.SECONDS).until(() -> reload(refusedRow).getFailedAt() != null);
            OutboxEvent settled = reload(refusedRow);
            assertNull(settled.getPublishedAt());
            assertTrue(settled.getLastError().contains("InvalidTopicException"), settled.getLastError());
            assertEquals(0L, (long) OnVertxContext.await(() -> Panache.withSession(repository::countUnpublished)),
                    "nothing is left waiting behind the refused event");
        }
    }

    @Test
    void whileAnotherReplicaRelaysThisOneSendsNothingAndCountsTheBacklog() throws Exception {
        // Two replicas relaying at once publish neighbouring batches at the same time: events of one key overtake each
        // other. The relay lock (held here by "another replica") lets one relay per database send at a time.
        String topic = "polymux.outbox-check.v1";
        var otherReplica = pool.getConnection().await().atMost(java.time.Duration.ofSeconds(10));
        try (KafkaEvents events = KafkaEvents.watch(topic)) {
            otherReplica.query("select pg_advisory_lock(" + OutboxRepository.RELAY_LOCK + ")").execute().await().atMost(java.time.Duration.ofSeconds(10));
            CloudEvent waiting = event();
            OutboxEvent row = OnVertxContext.await(() -> Panache.withTransaction(() -> outbox.enqueue(topic, "k", waiting)));

            Thread.sleep(2500); // two rounds of the scheduled relay
            assertNull(reload(row).getPublishedAt(), "published while another replica held the relay");
            assertEquals(0, (int) OnVertxContext.await(() -> relay.relayBatch()), "a round without the lock sends nothing");
            await().atMost(10, TimeUnit.SECONDS).until(() -> backlog() >= 1.0);

            otherReplica.query("select pg_advisory_unlock(" + OutboxRepository.RELAY_LOCK + ")").execute().await().atMost(java.time.Duration.ofSeconds(10));
            events.awaitCloudEvent(json -> waiting.id().equals(json.path("id").asText()));
            await().atMost(10, TimeUnit.SECONDS).until(() -> backlog() == 0.0);
        } finally {
            otherReplica.close().await().atMost(java.time.Duration.ofSeconds(10));
        }
    }

    @Test
    void aBacklogOfOneKeyIsSentInItsOrder() {
        String topic = "polymux.outbox-order.v1";
        try (KafkaEvents events = KafkaEvents.watch(topic)) {
            java.util.List<CloudEvent> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 250; i++) {
                sent.add(event());
            }
            OnVertxContext.await(() -> Panache.withTransaction(() -> io.smallrye.mutiny.Multi.createFrom().iterable(sent)
                    .onItem().transformToUniAndConcatenate(event -> outbox.enqueue(topic, "one-key", event)).collect().last()));

            CloudEvent last = sent.getLast();
            events.awaitCloudEvent(json -> last.id().equals(json.path("id").asText()));
            java.util.List<String> received = events.allMatching(record -> true, java.time.Duration.ofMillis(200)).stream()
                    .map(record -> record.value()).map(value -> {
                        try {
                            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(value).path("id").asText();
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).distinct().toList();
            assertEquals(sent.stream().map(CloudEvent::id).toList(), received, "one key's events arrive in the order they were written");
        }
    }

    private double backlog() {
        return registry.get("polymux.outbox.backlog").gauge().value();
    }

    private OutboxEvent reload(OutboxEvent row) {
        return OnVertxContext.await(() -> Panache.withSession(() -> repository.findById(row.getId())));
    }

    private static CloudEvent event() {
        return CloudEvent.create("/polymux/registry-service", "dev.polymux.outbox.checked.v1", "outbox",
                JsonNodeFactory.instance.objectNode());
    }
}
