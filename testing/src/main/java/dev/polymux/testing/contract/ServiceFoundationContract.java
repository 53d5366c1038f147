package dev.polymux.testing.contract;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.common.outbox.OutboxEvent;
import dev.polymux.common.outbox.repository.OutboxRepository;
import dev.polymux.common.outbox.service.OutboxService;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.reactive.OnVertxContext;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.restassured.RestAssured;

/**
 * What every Polymux service must do from its first day, checked against the real database and broker. A
 * service's test extends it and adds {@code @QuarkusTest} and the {@code @WithTestResource} annotations of
 * {@link dev.polymux.testing.kafka.KafkaBrokerResource} and {@link dev.polymux.testing.postgres.PostgresResource}.
 */
public abstract class ServiceFoundationContract {

    @Inject
    OutboxService outbox;

    @Inject
    OutboxRepository outboxRepository;

    /** The service's name as it appears in event sources, e.g. "registry-service". */
    protected abstract String serviceName();

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
    void readinessIsUpOnTheManagementPortWithDatabaseAndKafkaChecks() {
        given().port(managementPort())
                .when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")))
                .body("checks.name", hasItem(containsString("Reactive Messaging")));
    }

    @Test
    void prometheusMetricsAreServedOnTheManagementPort() {
        given().port(managementPort())
                .when().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("polymux_outbox_published_total"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void grpcHealthServiceAnswersServingFromReadiness() throws InterruptedException {
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, grpcHealthCheck("").getStatus());
    }

    @Test
    void grpcHealthServiceSaysNotFoundForAServiceItDoesNotHost() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpcHealthCheck("other.v1.Unknown"));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    /** grpc.health.v1 Check over the HTTP port (gRPC shares it; random in tests, RestAssured knows which). */
    private static HealthCheckResponse grpcHealthCheck(String service) throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void unknownPathAnswersProblemJson() {
        given().when().get("/no-such-path")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Not found"))
                .body("type", equalTo("https://docs.polymux.dev/problems/not-found"))
                .body("instance", equalTo("/no-such-path"))
                .body("detail", equalTo("Nothing exists at /no-such-path."));
    }

    protected static int managementPort() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }
}
