package dev.polymux.vault.secret;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.polymux.common.event.ConnectionEventTypes;
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
import io.restassured.RestAssured;

/**
 * What an integration's setup steps (oauth-service) need from the vault: storing checked values on behalf of the
 * installer, one step at a time, and keeping an uninstalled integration's values until its setup is undone.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class IntegrationSetupValuesTest {

    private static final String TENANT = "initech";
    private static final String INSTALLER = TestTokens.bearer(TENANT, "peter", "installer");

    private ManagedChannel channel;
    private VaultServiceBlockingStub dispatch;
    private VaultServiceBlockingStub oauth;

    @BeforeEach
    void connect() {
        channel = GrpcChannels.open(RestAssured.port);
        dispatch = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"));
        oauth = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("oauth-service"));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void aSetupStepStoresPartOfTheShapeAndTheLastOneAllOfIt() {
        String id = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);

        long first = oauth.putSecret(put(id, Map.of("access_key", "AKIA-1"), false)).getVersion();
        StatusRuntimeException incomplete = assertThrows(StatusRuntimeException.class,
                () -> oauth.putSecret(put(id, Map.of("access_key", "AKIA-1"), true)));
        long second = oauth.putSecret(put(id, Map.of("access_key", "AKIA-1", "secret_key", "s3cret-setup-value"), true)).getVersion();

        assertEquals(1, first);
        assertEquals(Status.Code.INVALID_ARGUMENT, incomplete.getStatus().getCode());
        assertTrue(incomplete.getStatus().getDescription().contains("/secret_key is required"), incomplete.getStatus().getDescription());
        assertEquals(2, second);
        assertEquals("s3cret-setup-value", dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).build())
                .getFieldsOrThrow("secret_key").toString(StandardCharsets.UTF_8));
    }

    @Test
    void onlyOAuthServiceStoresSetupValuesAndARefusalNamesFieldsNeverValues() {
        String id = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);

        StatusRuntimeException byDispatch = assertThrows(StatusRuntimeException.class,
                () -> dispatch.putSecret(put(id, Map.of("access_key", "AKIA-2"), false)));
        StatusRuntimeException unknownField = assertThrows(StatusRuntimeException.class,
                () -> oauth.putSecret(put(id, Map.of("webhook_secret", "whsec_NotInTheShape"), false)));
        StatusRuntimeException otherTenant = assertThrows(StatusRuntimeException.class, () -> oauth.putSecret(
                PutSecretRequest.newBuilder().setTenantId("hooli").setInstallationId(id).setStoredBy("gavin")
                        .putFields("access_key", ByteString.copyFromUtf8("AKIA-3")).build()));

        assertEquals(Status.Code.PERMISSION_DENIED, byDispatch.getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, unknownField.getStatus().getCode());
        assertTrue(unknownField.getStatus().getDescription().contains("/webhook_secret"), unknownField.getStatus().getDescription());
        assertFalse(unknownField.getStatus().getDescription().contains("whsec_NotInTheShape"));
        assertEquals(Status.Code.NOT_FOUND, otherTenant.getStatus().getCode(), "another tenant's installation is as good as none");
    }

    @Test
    void anUninstalledIntegrationsValuesWaitForItsSetupToBeUndone() {
        String id = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);
        oauth.putSecret(put(id, Map.of("access_key", "AKIA-4", "secret_key", "undo-needs-this"), true));

        Installations.removed(TENANT, id, "integration");
        GetSecretRequest uninstalled = GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setUninstalled(true)
                .setPurpose("undo setup").build();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> code(() -> dispatch.getSecret(
                GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).build())) == Status.Code.NOT_FOUND);

        assertEquals("undo-needs-this", oauth.getSecret(uninstalled).getFieldsOrThrow("secret_key").toString(StandardCharsets.UTF_8),
                "oauth-service can still undo the setup");
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> dispatch.getSecret(uninstalled)), "nobody else reads an uninstalled one");

        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/oauth-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","connectorId":"acme"}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.SETUP_REMOVED, id, Instant.now(), TENANT, id),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
        await().atMost(Duration.ofSeconds(20)).until(() -> code(() -> oauth.getSecret(uninstalled)) == Status.Code.NOT_FOUND);
    }

    @Test
    void theUninstalledReadDoesNotFailWhenOAuthServiceTookTheUninstallInFirst() {
        // oauth-service and vault-service read installation.removed each at its own pace: oauth-service may ask for the
        // uninstalled values while this service still counts the integration as installed.
        String id = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);
        oauth.putSecret(put(id, Map.of("access_key", "AKIA-5", "secret_key", "read-before-removed"), true));
        GetSecretRequest uninstalled = GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setUninstalled(true)
                .setPurpose("undo setup").build();

        assertEquals("read-before-removed", oauth.getSecret(uninstalled).getFieldsOrThrow("secret_key").toString(StandardCharsets.UTF_8));
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> dispatch.getSecret(uninstalled)), "still oauth-service's alone");
        assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getSecret(GetSecretRequest.newBuilder().setTenantId("hooli")
                .setInstallationId(id).setUninstalled(true).build())), "another tenant's integration is as good as none");
        String vaultId = Installations.created(TENANT, "vault", Installations.PAIR, INSTALLER);
        assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT)
                .setInstallationId(vaultId).setUninstalled(true).build())), "only integrations have setup to undo");
    }

    @Test
    void anUninstalledIntegrationIsSaidToKeepItsValuesUntilSetupIsUndoneOtherKindsToHaveNone() {
        String integration = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);
        oauth.putSecret(put(integration, Map.of("access_key", "AKIA-6", "secret_key", "kept-for-undo"), true));
        String vault = Installations.created(TENANT, "vault", Installations.PAIR, INSTALLER);
        Installations.removed(TENANT, integration, "integration");
        Installations.removed(TENANT, vault, "vault");
        await().atMost(Duration.ofSeconds(20)).until(() -> RestAssured.given().header("Authorization", INSTALLER)
                .get("/tenants/" + TENANT + "/credentials/" + integration).statusCode() == 409
                && RestAssured.given().header("Authorization", INSTALLER).get("/tenants/" + TENANT + "/credentials/" + vault).statusCode() == 409);

        String integrationDetail = RestAssured.given().header("Authorization", INSTALLER).get("/tenants/" + TENANT + "/credentials/" + integration)
                .then().statusCode(409).extract().path("detail");
        assertEquals("Installation " + integration + " was uninstalled; its values are kept only until its setup is undone at the provider "
                + "(7 days at most), then deleted.", integrationDetail);
        StatusRuntimeException overGrpc = assertThrows(StatusRuntimeException.class, () -> dispatch.getSecret(
                GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(integration).build()));
        assertEquals(Status.Code.NOT_FOUND, overGrpc.getStatus().getCode());
        assertEquals(integrationDetail, overGrpc.getStatus().getDescription());
        RestAssured.given().header("Authorization", INSTALLER).get("/tenants/" + TENANT + "/credentials/" + vault).then().statusCode(409)
                .body("detail", org.hamcrest.Matchers.is("Installation " + vault + " was uninstalled; its secrets are deleted."));
    }

    private static PutSecretRequest put(String id, Map<String, String> fields, boolean requireAll) {
        PutSecretRequest.Builder request = PutSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setStoredBy("peter")
                .setRequireAll(requireAll);
        fields.forEach((name, value) -> request.putFields(name, ByteString.copyFromUtf8(value)));
        return request.build();
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
