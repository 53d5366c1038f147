package dev.polymux.registry.installation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.proto.registry.v1.ConnectionKind;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.proto.registry.v1.Connector;
import dev.polymux.proto.registry.v1.GetConnectorRequest;
import dev.polymux.proto.registry.v1.Installation;
import dev.polymux.proto.registry.v1.RegistryServiceGrpc;
import dev.polymux.proto.registry.v1.ResolveInstallationRequest;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;

/** The registry's gRPC API from a generated client, error statuses included. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class RegistryGrpcTest {

    private static final String AUTHOR = TestTokens.bearer("wayne", "bruce", "author");
    private static final String INSTALLER = TestTokens.bearer("wayne", "alfred", "installer");

    private ManagedChannel channel;
    private RegistryServiceGrpc.RegistryServiceBlockingStub registry;

    @BeforeEach
    void connect() {
        channel = GrpcChannels.open(RestAssured.port);
        registry = GrpcChannels.as(RegistryServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void getConnectorReturnsTheNewestApprovedManifest() {
        Connector github = registry.getConnector(GetConnectorRequest.newBuilder().setConnectorId("github").build());
        assertEquals("1.0.0", github.getVersion());
        assertEquals(ConnectionKind.CONNECTION_KIND_OAUTH, github.getKind());
        assertEquals("https://github.com/login/oauth/access_token",
                new JsonObject(github.getManifestJson()).getJsonObject("auth").getString("tokenUrl"));

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> registry.getConnector(GetConnectorRequest.newBuilder().setConnectorId("no-such-connector").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertEquals("There is no approved connector no-such-connector.", missing.getStatus().getDescription());
    }

    @Test
    void resolveInstallationAnswersOnlyForActiveInstallationsAndSaysWhyNot() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"grpc-plugin","version":"1.0.0","label":"gRPC","connections":[
                  {"kind":"oauth","key":"drive","label":"Drive","connector":"google-drive",
                   "scopes":["https://www.googleapis.com/auth/drive.file"]}]}""")
                .post("/tenants/wayne/plugins").then().statusCode(201);
        String id = given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"grpc-plugin\"}")
                .post("/tenants/wayne/installations").then().statusCode(201).extract().jsonPath().getList("installationId", String.class).get(0);
        ResolveInstallationRequest request = ResolveInstallationRequest.newBuilder()
                .setTenantId("wayne").setPluginId("grpc-plugin").setConnectionKey("drive").build();

        StatusRuntimeException pending = assertThrows(StatusRuntimeException.class, () -> registry.resolveInstallation(request));
        assertEquals(Status.Code.FAILED_PRECONDITION, pending.getStatus().getCode());
        assertEquals("Connection 'drive' of plugin grpc-plugin is not connected yet; supply its credentials.", pending.getStatus().getDescription());

        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/oauth-service","type":"%s","subject":"%s","time":"%s","data":{}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.GRANT_AUTHORIZED, id, Instant.now().plusSeconds(1)),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().header("Authorization", INSTALLER)
                .get("/tenants/wayne/installations/" + id).then().body("status", equalTo("active")));

        Installation resolved = registry.resolveInstallation(request);
        assertEquals(id, resolved.getInstallationId());
        assertEquals("google-drive", resolved.getConnectorId());
        assertEquals("1.0.0", resolved.getConnectorVersion());
        assertEquals(List.of("https://www.googleapis.com/auth/drive.file"), resolved.getRequestedScopesList());

        StatusRuntimeException otherTenant = assertThrows(StatusRuntimeException.class, () -> registry.resolveInstallation(
                request.toBuilder().setTenantId("gotham").build()));
        assertEquals(Status.Code.NOT_FOUND, otherTenant.getStatus().getCode());
    }

    @Test
    void onlyPlatformServicesMayCall() {
        GetConnectorRequest request = GetConnectorRequest.newBuilder().setConnectorId("github").build();
        StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class,
                () -> RegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).getConnector(request));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
        StatusRuntimeException user = assertThrows(StatusRuntimeException.class,
                () -> GrpcChannels.as(RegistryServiceGrpc.newBlockingStub(channel), INSTALLER).getConnector(request));
        assertEquals(Status.Code.PERMISSION_DENIED, user.getStatus().getCode());
        assertEquals("github", GrpcChannels.as(RegistryServiceGrpc.newBlockingStub(channel), TestTokens.service("oauth-service"))
                .getConnector(request).getConnectorId());
        // vault-service learns what it needs from the registry's events and calls nothing: it is not on the list.
        StatusRuntimeException vault = assertThrows(StatusRuntimeException.class,
                () -> GrpcChannels.as(RegistryServiceGrpc.newBlockingStub(channel), TestTokens.service("vault-service")).getConnector(request));
        assertEquals(Status.Code.PERMISSION_DENIED, vault.getStatus().getCode());
    }

    @Test
    void aRequestWithoutItsKeysIsInvalid() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> registry.resolveInstallation(ResolveInstallationRequest.newBuilder().setTenantId("wayne").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
}
