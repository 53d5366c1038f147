package dev.polymux.vault.secret;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.Secret;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * A plugin's shape pattern that makes a backtracking engine take minutes ({@code (.*a){20}$}) answers a 16 KiB value
 * with 400 at once, and another tenant's GetSecret is answered meanwhile.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ShapePatternStallTest {

    private static final String EVIL_SHAPE = "{\"kind\":\"single\",\"field\":\"value\",\"pattern\":\"(.*a){20}$\"}";
    /** As long as a value may be (16 KiB), ending where the pattern cannot match. */
    private static final String EVIL_VALUE = "a".repeat(16_383) + "!";
    /** More PUTs at once than vault-service has event loops (two per core). */
    private static final int PARALLEL = 2 * Runtime.getRuntime().availableProcessors() + 2;

    @Test
    void aBacktrackingShapePatternAnswers400FastAndOtherTenantsSecretsStayReadable() throws Exception {
        String attacker = TestTokens.bearer("umbrella", "wesker", "installer");
        String evil = Installations.created("umbrella", "vault", EVIL_SHAPE, attacker);

        String victim = TestTokens.bearer("wayne-enterprises", "lucius", "installer");
        String victims = Installations.created("wayne-enterprises", "vault", Installations.SINGLE, victim);
        given().header("Authorization", victim).contentType(ContentType.JSON).body("{\"value\":\"rk_live_WayneKey\"}")
                .put("/tenants/wayne-enterprises/credentials/" + victims).then().statusCode(200);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest put = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/tenants/umbrella/credentials/" + evil))
                .header("Authorization", attacker).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + EVIL_VALUE + "\"}")).build();

        ManagedChannel channel = GrpcChannels.open(RestAssured.port);
        try {
            var dispatch = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"));
            GetSecretRequest read = GetSecretRequest.newBuilder().setTenantId("wayne-enterprises").setInstallationId(victims)
                    .setPurpose("dispatch tool stripe.create_checkout_session").build();
            long usual = timed(() -> dispatch.withDeadlineAfter(10, TimeUnit.SECONDS).getSecret(read));

            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                puts.add(http.sendAsync(put, HttpResponse.BodyHandlers.ofString()));
            }
            // During the PUTs: the other tenant's read is answered, within a generous bound.
            Secret secret = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> dispatch.withDeadlineAfter(10, TimeUnit.SECONDS).getSecret(read));
            long during = (System.nanoTime() - start) / 1_000_000;
            assertEquals("rk_live_WayneKey", secret.getFieldsOrThrow("value").toString(StandardCharsets.UTF_8));

            for (CompletableFuture<HttpResponse<String>> answer : puts) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                assertEquals(400, response.statusCode(), response.body());
                assertTrue(response.body().contains("does not have the form this connection expects"), response.body());
                assertFalse(response.body().contains("aaaa"), "the value is not echoed");
            }
            long all = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("GetSecret alone %d ms, during %d parallel PUTs %d ms; all %d PUTs answered 400 within %d ms%n",
                    usual, PARALLEL, during, PARALLEL, all);
        } finally {
            GrpcChannels.close(channel);
        }
    }

    private static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
