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
import dev.polymux.common.outbox.OutboxEvent;
import dev.polymux.common.outbox.repository.OutboxRepository;
import dev.polymux.common.outbox.service.OutboxService;
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

    private OutboxEvent reload(OutboxEvent row) {
        return OnVertxContext.await(() -> Panache.withSession(() -> repository.findById(row.getId())));
    }

    private static CloudEvent event() {
        return CloudEvent.create("/polymux/registry-service", "dev.polymux.outbox.checked.v1", "outbox",
                JsonNodeFactory.instance.objectNode());
    }
}
