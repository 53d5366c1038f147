package dev.polymux.vault.rotation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.crypto.KeyEncryptionKeys;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** KEK rotation while readers keep reading, rewrapping, and retirement only of keys nothing uses. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class KeyRotationTest {

    private static final String INSTALLER = TestTokens.bearer("vandelay", "art", "installer");
    private static final String ADMIN = TestTokens.bearer("polymux", "ops", "admin");

    @Inject
    KeyEncryptionKeys keks;

    @Test
    void rotatingAndRetiringWhileAReaderLoopsNeverYieldsAnErrorOrAWrongValue() throws Exception {
        Map<String, String> stored = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            String id = Installations.created("vandelay", "vault", Installations.SINGLE, INSTALLER);
            String value = "rk_test_Vandelay" + i + "Latex";
            given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"" + value + "\"}")
                    .put("/tenants/vandelay/credentials/" + id).then().statusCode(200);
            stored.put(id, value);
        }

        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        ManagedChannel channel = GrpcChannels.open(RestAssured.port);
        try {
            for (int r = 0; r < 2; r++) {
                Thread reader = new Thread(() -> {
                    while (reading.get()) {
                        for (Map.Entry<String, String> entry : stored.entrySet()) {
                            try {
                                VaultServiceBlockingStub dispatch = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel),
                                        TestTokens.service("dispatch-service"));
                                String value = dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId("vandelay")
                                        .setInstallationId(entry.getKey()).build()).getFieldsOrThrow("value").toString(StandardCharsets.UTF_8);
                                if (!value.equals(entry.getValue())) {
                                    problems.add("wrong value for " + entry.getKey());
                                }
                                reads.incrementAndGet();
                            } catch (RuntimeException e) {
                                problems.add(e.toString());
                            }
                        }
                    }
                }, "secret-reader-" + r);
                reader.start();
                readers.add(reader);
            }

            for (int round = 0; round < 3; round++) {
                int before = given().header("Authorization", ADMIN).get("/admin/keys").then().statusCode(200)
                        .extract().path("primaryKeyId");
                // Rotation makes a new primary and rewraps everything to it before it answers.
                given().header("Authorization", ADMIN).post("/admin/keys/rotate").then().statusCode(200)
                        .body("pendingRewrap", equalTo(0)).body("backend", equalTo("local"));
                given().header("Authorization", ADMIN).delete("/admin/keys/" + before).then().statusCode(200);
            }
            Thread.sleep(300);
        } finally {
            reading.set(false);
            for (Thread reader : readers) {
                reader.join(10_000);
            }
            GrpcChannels.close(channel);
        }
        assertEquals(List.of(), List.copyOf(problems), "reads during rotation");
        assertTrue(reads.get() > 50, "the readers kept reading: " + reads.get());

        String metrics = given().port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class))
                .get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("polymux_vault_rewrap_pending 0.0"), "rewrap progress is a metric");
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("polymux_vault_rewrapped_total") && !line.endsWith(" 0.0")));
    }

    @Test
    void aKeyIsRetiredOnlyWhenNothingUsesItAndNeverThePrimary() throws Exception {
        String id = Installations.created("vandelay", "vault", Installations.SINGLE, INSTALLER);
        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"rk_test_Kramerica\"}")
                .put("/tenants/vandelay/credentials/" + id).then().statusCode(200);
        int old = keks.primaryKeyId();
        // A rotation without its rewrap, as a second replica would see it before the job ran: old data keys remain.
        int primary = keks.rotate();

        given().header("Authorization", ADMIN).delete("/admin/keys/" + old).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("still wraps"));
        given().header("Authorization", ADMIN).delete("/admin/keys/" + primary).then().statusCode(409)
                .body("detail", containsString("primary"));
        given().header("Authorization", ADMIN).delete("/admin/keys/12345").then().statusCode(404);
        given().header("Authorization", INSTALLER).post("/admin/keys/rotate").then().statusCode(403);

        given().header("Authorization", ADMIN).post("/admin/keys/rewrap").then().statusCode(200).body("pendingRewrap", equalTo(0));
        given().header("Authorization", ADMIN).delete("/admin/keys/" + old).then().statusCode(200)
                .body("keys.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(old)));
        given().header("Authorization", INSTALLER).get("/tenants/vandelay/credentials/" + id).then().statusCode(200);
    }

    @Test
    void theAdminRoleOfATenantIsNotThePlatformsAndOperatesNoKey() {
        // Any tenant may give its own people "admin"; the platform's keys wrap every tenant's secrets.
        String tenantAdmin = TestTokens.bearer("vandelay", "george", "admin");
        int primary = keks.primaryKeyId();

        given().header("Authorization", tenantAdmin).get("/admin/keys").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("platform"));
        given().header("Authorization", tenantAdmin).post("/admin/keys/rotate").then().statusCode(403);
        given().header("Authorization", tenantAdmin).post("/admin/keys/rewrap").then().statusCode(403);
        given().header("Authorization", tenantAdmin).delete("/admin/keys/" + primary).then().statusCode(403);
        org.junit.jupiter.api.Assertions.assertEquals(primary, keks.primaryKeyId(), "nothing was rotated");
        given().header("Authorization", ADMIN).get("/admin/keys").then().statusCode(200);
    }

    @Test
    void aFieldNoKeyCanOpenIsSetAsideInsteadOfBlockingTheRewrap() throws Exception {
        String broken = Installations.created("vandelay", "vault", Installations.SINGLE, INSTALLER);
        String fine = Installations.created("vandelay", "vault", Installations.SINGLE, INSTALLER);
        for (String id : List.of(broken, fine)) {
            given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"rk_test_Pennypacker\"}")
                    .put("/tenants/vandelay/credentials/" + id).then().statusCode(200);
        }
        int old = keks.primaryKeyId();
        // Someone flips a byte of one wrapped data key in the database.
        OnVertxContext.await(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update sealed_field set wrapped_data_key = set_byte(wrapped_data_key, 20, get_byte(wrapped_data_key, 20) # 1)
                where credential_id = (select id from credential where installation_id = ?1)""").setParameter(1, broken).executeUpdate())));

        given().header("Authorization", ADMIN).post("/admin/keys/rotate").then().statusCode(200)
                .body("pendingRewrap", equalTo(0)).body("unreadable", equalTo(1));
        given().header("Authorization", ADMIN).delete("/admin/keys/" + old).then().statusCode(409)
                .body("detail", containsString("unreadable"));
        ManagedChannel channel = GrpcChannels.open(RestAssured.port);
        try {
            VaultServiceBlockingStub dispatch = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"));
            assertEquals("rk_test_Pennypacker", dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId("vandelay")
                    .setInstallationId(fine).build()).getFieldsOrThrow("value").toString(StandardCharsets.UTF_8), "the others were rewrapped");
            StatusRuntimeException lost = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> dispatch.getSecret(
                    GetSecretRequest.newBuilder().setTenantId("vandelay").setInstallationId(broken).build()));
            assertEquals(Status.Code.DATA_LOSS, lost.getStatus().getCode());
        } finally {
            GrpcChannels.close(channel);
        }

        // The installer stores the value anew: nothing unreadable is left, and the old key can go.
        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"rk_test_Pennypacker\"}")
                .put("/tenants/vandelay/credentials/" + broken).then().statusCode(200);
        given().header("Authorization", ADMIN).get("/admin/keys").then().body("unreadable", equalTo(0));
        given().header("Authorization", ADMIN).delete("/admin/keys/" + old).then().statusCode(200);
    }
}
