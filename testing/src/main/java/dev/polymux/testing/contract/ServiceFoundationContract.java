package dev.polymux.testing.contract;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.restassured.RestAssured;

/**
 * What every Polymux service must do from its first day, checked against the real broker. A service's test
 * extends it (or {@link PersistentServiceFoundationContract}, for a service with a database) and adds
 * {@code @QuarkusTest} and {@code @WithTestResource(KafkaBrokerResource.class)}.
 */
public abstract class ServiceFoundationContract {

    /** The service's name as it appears in event sources, e.g. "registry-service". */
    protected abstract String serviceName();

    @Test
    void readinessIsUpOnTheManagementPortWithTheKafkaCheck() {
        given().port(managementPort())
                .when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Reactive Messaging")));
    }

    @Test
    void prometheusMetricsAreServedOnTheManagementPort() {
        given().port(managementPort())
                .when().get("/q/metrics")
                .then().statusCode(200)
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
