package dev.polymux.testing.contract;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.persistence.outbox.OutboxEvent;
import dev.polymux.persistence.outbox.repository.OutboxRepository;
import dev.polymux.persistence.outbox.service.OutboxService;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.reactive.OnVertxContext;
import io.quarkus.hibernate.reactive.panache.Panache;

/**
 * What a service that keeps state (polymux-persistence) must do besides: its events go through the transactional
 * outbox, and its readiness and metrics cover the database and the relay. Add
 * {@code @WithTestResource(PostgresResource.class)} too.
 */
public abstract class PersistentServiceFoundationContract extends ServiceFoundationContract {

    @Inject
    OutboxService outbox;

    @Inject
    OutboxRepository outboxRepository;

    @Test
    void outboxEventIsCommittedToPostgresThenPublishedToKafka() {
        String topic = "polymux.foundation-check." + serviceName() + ".v1";
        try (KafkaEvents events = KafkaEvents.watch(topic)) {
            JsonNode data = JsonNodeFactory.instance.objectNode().put("check", "outbox round trip");
            CloudEvent event = CloudEvent.create("/polymux/" + serviceName(), "dev.polymux.foundation.checked.v1",
                    "foundation", data);

            OutboxEvent row = OnVertxContext.await(() -> Panache.withTransaction(() -> outbox.enqueue(topic, "foundation", event)));
            assertNotNull(row.getId(), "the event row was written to PostgreSQL");

            JsonNode received = events.awaitCloudEvent(json -> event.id().equals(json.path("id").asText()));
            assertEquals("dev.polymux.foundation.checked.v1", received.path("type").asText());
            assertEquals("/polymux/" + serviceName(), received.path("source").asText());
            assertEquals("outbox round trip", received.path("data").path("check").asText());

            // The relay marks the row once the broker acknowledged it.
            await().atMost(10, TimeUnit.SECONDS).until(
                    () -> OnVertxContext.await(() -> Panache.withSession(() -> outboxRepository.findById(row.getId()))).getPublishedAt() != null);
            assertEquals(1, events.allMatching(r -> r.value().contains(event.id()), Duration.ofMillis(500)).size(),
                    "the event is published once");
        }
    }

    @Test
    void readinessChecksTheDatabase() {
        given().port(managementPort())
                .when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void theOutboxRelayReportsOnTheManagementPort() {
        given().port(managementPort())
                .when().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("polymux_outbox_published_total"));
    }
}
