package dev.polymux.vault.installation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;

import dev.polymux.common.event.EventTopics;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.PutSecretRequest;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * An uninstalled integration whose "setup removed" never comes (oauth-service never knew it, or failed for good) does
 * not keep its values forever: after polymux.vault.uninstalled-retention (here 5 s) the scheduled sweep deletes them,
 * audited. Installed integrations, and uninstalled ones within the retention, keep theirs.
 */
@QuarkusTest
@TestProfile(UninstalledRetentionTest.ShortRetention.class)
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class UninstalledRetentionTest {

    public static class ShortRetention implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("polymux.vault.uninstalled-retention", "5s", "polymux.vault.uninstalled-sweep-every", "1s");
        }
    }

    private static final String TENANT = "retention-co";
    private static final String INSTALLER = TestTokens.bearer(TENANT, "rita", "installer");

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = GrpcChannels.open(RestAssured.port);
    }

    /** A stub per call: each has a deadline of 10 s from when it was made, and this test waits longer than that. */
    private VaultServiceBlockingStub oauth() {
        return GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("oauth-service"));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void anUninstalledIntegrationsValuesGoAfterTheRetentionEvenWithoutSetupRemoved() {
        String forgotten = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);
        String installed = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);
        store(forgotten, "never-undone");
        store(installed, "still-in-use");

        try (KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            Installations.removed(TENANT, forgotten, "integration");
            // Within the retention it is still there for oauth-service to undo the setup with.
            await().atMost(Duration.ofSeconds(20)).until(() -> RestAssured.given().header("Authorization", INSTALLER)
                    .get("/tenants/" + TENANT + "/credentials/" + forgotten).statusCode() == 409);
            assertEquals("never-undone", read(forgotten));

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> code(() -> read(forgotten))
                    == Status.Code.NOT_FOUND);
            JsonNode deleted = audit.awaitCloudEvent(json -> forgotten.equals(json.path("subject").asText())
                    && "dev.polymux.secret.deleted.v1".equals(json.path("type").asText()));
            assertEquals("system", deleted.path("data").path("actorKind").asText());
            assertEquals("retention of uninstalled integration ended", deleted.path("data").path("actor").asText());
        }
        assertEquals("still-in-use", oauth().getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(installed).build())
                .getFieldsOrThrow("secret_key").toString(StandardCharsets.UTF_8), "an installed integration is never swept");
    }

    private void store(String id, String secret) {
        oauth().putSecret(PutSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setStoredBy("rita").setRequireAll(true)
                .putFields("access_key", ByteString.copyFromUtf8("AKIA-R")).putFields("secret_key", ByteString.copyFromUtf8(secret)).build());
    }

    private String read(String id) {
        return oauth().getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setUninstalled(true)
                .setPurpose("undo setup").build()).getFieldsOrThrow("secret_key").toString(StandardCharsets.UTF_8);
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
