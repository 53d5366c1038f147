package dev.polymux.vault.installation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.ExtendedCloudEvents;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Both installation events vault-service consumes, as any CloudEvents 1.0 producer may send them (dataschema,
 * tracestate, a custom extension, no time): the installation becomes known, and its removal deletes its secrets.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class InstallationEventsWithExtensionsTest {

    private static final String TENANT = "extended-vault";
    private static final String INSTALLER = TestTokens.bearer(TENANT, "ext", "installer");
    private static final String KEY = "rk_live_ExtendedEventsKey";

    private ManagedChannel channel;
    private VaultServiceBlockingStub dispatch;

    @BeforeEach
    void connect() {
        channel = GrpcChannels.open(RestAssured.port);
        dispatch = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void installationEventsWithExtensionsAndNoTimeAreAppliedAndRemovalDeletesTheSecrets() {
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/registry-service", ConnectionEventTypes.INSTALLATION_CREATED, id,
                data(id, "pending", ",\"shape\":" + Installations.SINGLE));
        // 404 while the installation is unknown; 200 once the created event is in.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> put(id) == 200);
        assertEquals(KEY, dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).build())
                .getFieldsOrThrow("value").toString(StandardCharsets.UTF_8));

        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/registry-service", ConnectionEventTypes.INSTALLATION_REMOVED, id,
                data(id, "revoked", ""));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> code(() -> dispatch.getSecret(
                GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).build())) == Status.Code.NOT_FOUND);
        assertEquals(409, put(id), "a removed installation takes no new values");
    }

    private static String data(String id, String status, String more) {
        return """
                {"tenantId":"%s","installationId":"%s","pluginId":"vault-test","pluginVersion":"1.0.0","connectionKey":"key",
                 "kind":"vault","connectorId":null,"status":"%s"%s}""".formatted(TENANT, id, status, more);
    }

    private static int put(String id) {
        return given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"" + KEY + "\"}")
                .put("/tenants/" + TENANT + "/credentials/" + id).statusCode();
    }

    /** The call's status code: OK while it still answers (the removal may not be applied yet). */
    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
