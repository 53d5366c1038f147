package dev.polymux.vault.secret;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsRequest;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.PutTokenSetRequest;
import dev.polymux.proto.vault.v1.Secret;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.audit.service.AuditTrail;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** The internal gRPC API: who may call it, audited reads on the real broker, compare-and-set token sets, uninstall. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class VaultGrpcTest {

    private static final String INSTALLER = TestTokens.bearer("hooli", "gavin", "installer");
    private static final String KEY = "rk_live_HooliNucleusKey";

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
    void getSecretReturnsTheValuesAndEveryReadIsAudited() {
        String id = storedSingle();
        try (KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            Secret secret = dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId("hooli").setInstallationId(id)
                    .setPurpose("dispatch tool stripe.create_checkout_session").build());
            assertEquals(KEY, secret.getFieldsOrThrow("value").toString(StandardCharsets.UTF_8));
            assertEquals(1, secret.getVersion());
            dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId("hooli").setInstallationId(id).build());

            List<JsonNode> reads = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                reads.clear();
                audit.allMatching(r -> r.value().contains(id) && r.value().contains(AuditTrail.SECRET_READ), Duration.ofMillis(200))
                        .forEach(r -> reads.add(KafkaEvents.parse(r.value())));
                return reads.size() == 2;
            });
            JsonNode read = reads.get(0);
            assertEquals("dispatch-service", read.path("data").path("actor").asText());
            assertEquals("service", read.path("data").path("actorKind").asText());
            assertEquals("[\"value\"]", read.path("data").path("fields").toString());
            assertEquals("dispatch tool stripe.create_checkout_session", read.path("data").path("purpose").asText());
            EventSchemas.assertMatchesItsSchema(read);
        }
    }

    @Test
    void onlyTheNamedServicesMayCall() {
        String id = storedSingle();
        GetSecretRequest request = GetSecretRequest.newBuilder().setTenantId("hooli").setInstallationId(id).build();
        VaultServiceBlockingStub anonymous = VaultServiceGrpc.newBlockingStub(channel);
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> anonymous.getSecret(request)));
        assertEquals(Status.Code.PERMISSION_DENIED,
                code(() -> GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), INSTALLER).getSecret(request)),
                "a user token is not a service token");
        assertEquals(Status.Code.PERMISSION_DENIED,
                code(() -> GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("registry-service")).getSecret(request)),
                "a service not on the list");
        assertEquals(Status.Code.UNAUTHENTICATED,
                code(() -> GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.bearerFromAStranger("", "oauth-service", "service"))
                        .getSecret(request)), "a token signed by a key nobody trusts");
        assertEquals(Status.Code.PERMISSION_DENIED,
                code(() -> dispatch.getTokenSet(GetTokenSetRequest.newBuilder().setTenantId("hooli").setInstallationId(id).build())),
                "token sets are oauth-service's alone");
        assertEquals(Status.Code.NOT_FOUND,
                code(() -> dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId("pied-piper").setInstallationId(id).build())),
                "another tenant's installation does not exist for this request");
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> dispatch.getSecret(GetSecretRequest.getDefaultInstance())));
    }

    @Test
    void twoWritersOfTheSameVersionExactlyOneWins() throws Exception {
        String id = Installations.created("hooli", "oauth", null, INSTALLER);
        long first = oauth.putTokenSet(put(id, tokens("access-1", "refresh-1"), 0)).getVersion();
        assertEquals(1, first);
        assertEquals(Status.Code.ABORTED, code(() -> oauth.putTokenSet(put(id, tokens("access-x", "refresh-x"), 0))),
                "version 0 means none stored yet");

        // Two refreshes that both read version 1 race to store their rotated refresh tokens.
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<Object>> writers = List.of("a", "b").stream().map(name -> CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                    return (Object) oauth.putTokenSet(put(id, tokens("access-" + name, "refresh-" + name), first)).getVersion();
                } catch (StatusRuntimeException e) {
                    return e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool)).toList();
            List<Object> outcomes = writers.stream().map(CompletableFuture::join).toList();
            List<Object> won = outcomes.stream().filter(o -> o instanceof Long).toList();
            List<Object> lost = outcomes.stream().filter(o -> o instanceof StatusRuntimeException).toList();
            assertEquals(List.of(2L), won, "exactly one writer wins");
            assertEquals(1, lost.size());
            StatusRuntimeException loser = (StatusRuntimeException) lost.get(0);
            assertEquals(Status.Code.ABORTED, loser.getStatus().getCode());
            assertTrue(loser.getStatus().getDescription().contains("is at version 2, not 1"), loser.getStatus().getDescription());
        } finally {
            pool.shutdownNow();
        }

        TokenSet stored = oauth.getTokenSet(GetTokenSetRequest.newBuilder().setTenantId("hooli").setInstallationId(id).build());
        assertEquals(2, stored.getVersion());
        assertEquals(stored.getAccessToken().replace("access-", "refresh-"), stored.getRefreshToken(), "the winner's set, whole");
        assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> oauth.putTokenSet(put(storedSingle(), tokens("a", "r"), 0))),
                "token sets belong to oauth connections");
    }

    @Test
    void uninstallingDeletesEverySecret() {
        String values = storedSingle();
        String grant = Installations.created("hooli", "oauth", null, INSTALLER);
        oauth.putTokenSet(put(grant, tokens("access", "refresh"), 0));

        assertEquals(1, oauth.deleteInstallationSecrets(DeleteInstallationSecretsRequest.newBuilder().setTenantId("hooli")
                .setInstallationId(grant).build()).getDeleted());
        assertEquals(0, oauth.deleteInstallationSecrets(DeleteInstallationSecretsRequest.newBuilder().setTenantId("hooli")
                .setInstallationId(grant).build()).getDeleted(), "idempotent");
        assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getTokenSet(GetTokenSetRequest.newBuilder().setTenantId("hooli")
                .setInstallationId(grant).build())));

        Installations.removed("hooli", values, "vault");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> code(() -> dispatch.getSecret(GetSecretRequest.newBuilder()
                .setTenantId("hooli").setInstallationId(values).build())) == Status.Code.NOT_FOUND);
        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"" + KEY + "\"}")
                .put("/tenants/hooli/credentials/" + values).then().statusCode(409);
    }

    private static String storedSingle() {
        String id = Installations.created("hooli", "vault", Installations.SINGLE, INSTALLER);
        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"" + KEY + "\"}")
                .put("/tenants/hooli/credentials/" + id).then().statusCode(200);
        return id;
    }

    private static TokenSet tokens(String access, String refresh) {
        return TokenSet.newBuilder().setAccessToken(access).setRefreshToken(refresh).setTokenType("Bearer").addScopes("drive.file").build();
    }

    private static PutTokenSetRequest put(String id, TokenSet tokens, long expectedVersion) {
        return PutTokenSetRequest.newBuilder().setTenantId("hooli").setInstallationId(id).setTokenSet(tokens)
                .setExpectedVersion(expectedVersion).build();
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }
}
