package dev.polymux.vault.oauthclient;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.proto.vault.v1.DeleteOAuthClientRequest;
import dev.polymux.proto.vault.v1.GetOAuthClientRequest;
import dev.polymux.proto.vault.v1.OAuthClient;
import dev.polymux.proto.vault.v1.OAuthClientKey;
import dev.polymux.proto.vault.v1.PutOAuthClientRequest;
import dev.polymux.proto.vault.v1.PutOAuthClientResponse;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.audit.service.AuditTrail;
import dev.polymux.vault.crypto.KeyEncryptionKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * OAuth clients over internal gRPC: the platform's and a tenant's kept apart, compare-and-set, oauth-service alone,
 * input refused without echoing it, audited on the real broker, and surviving KEK rotation and retirement.
 * Same test resources as the other vault tests, so they share one app start.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class OAuthClientGrpcTest {

    private static final String TENANT = "wonka";
    private static final String ADMIN = TestTokens.bearer("polymux", "ops", "admin");
    private static final String PLATFORM_SECRET = "GOCSPX-PlatformWonkaGrpcSecret";
    private static final String TENANT_SECRET = "GOCSPX-TenantOwnWonkaGrpcSecret";

    @Inject
    KeyEncryptionKeys keks;

    private ManagedChannel channel;
    private VaultServiceBlockingStub oauth;

    @BeforeEach
    void connect() {
        channel = GrpcChannels.open(RestAssured.port);
        oauth = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("oauth-service"));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void thePlatformsClientAndATenantsOwnAreStoredReadAndDeletedApartAndAudited() {
        String connector = connector();
        OAuthClientKey platform = key("", connector);
        OAuthClientKey tenant = key(TENANT, connector);
        try (KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            PutOAuthClientResponse stored = oauth.putOAuthClient(put(platform, "platform-client.apps.example.com", PLATFORM_SECRET, 0)
                    .toBuilder().setStoredBy("ops").build());
            assertEquals(1, stored.getVersion());
            assertTrue(stored.getFingerprint().matches("sha256:[0-9a-f]{8}"), stored.getFingerprint());

            assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getOAuthClient(get(tenant))), "a tenant's key never answers the platform's client");

            assertEquals(1, oauth.putOAuthClient(put(tenant, "wonka-own-client", TENANT_SECRET, 0)).getVersion());
            OAuthClient platformClient = oauth.getOAuthClient(get(platform).toBuilder().setPurpose("authorize inst_1").build());
            assertEquals("platform-client.apps.example.com", platformClient.getClientId());
            assertEquals(PLATFORM_SECRET, platformClient.getClientSecret());
            assertEquals(platform, platformClient.getKey());
            assertEquals(1, platformClient.getVersion());
            assertTrue(platformClient.hasUpdatedAt());
            OAuthClient tenantClient = oauth.getOAuthClient(get(tenant));
            assertEquals("wonka-own-client", tenantClient.getClientId());
            assertEquals(TENANT_SECRET, tenantClient.getClientSecret(), "the tenant's own, not the platform's");
            assertEquals(tenant, tenantClient.getKey());
            assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getOAuthClient(get(key("globex", connector)))), "nor another tenant's");

            // Replacing without compare-and-set moves the version on; the fingerprint follows the secret.
            PutOAuthClientResponse replaced = oauth.putOAuthClient(put(platform, "platform-client.apps.example.com", PLATFORM_SECRET + "2", 0));
            assertEquals(2, replaced.getVersion());
            assertNotEquals(stored.getFingerprint(), replaced.getFingerprint());
            assertEquals(PLATFORM_SECRET + "2", oauth.getOAuthClient(get(platform)).getClientSecret());

            // A public client: no secret stored, none answered, no fingerprint.
            PutOAuthClientResponse publicClient = oauth.putOAuthClient(put(tenant, "wonka-public-client", "", 0));
            assertEquals(2, publicClient.getVersion());
            assertEquals("", publicClient.getFingerprint());
            OAuthClient opened = oauth.getOAuthClient(get(tenant));
            assertEquals("wonka-public-client", opened.getClientId());
            assertEquals("", opened.getClientSecret());

            assertTrue(oauth.deleteOAuthClient(delete(tenant)).getDeleted());
            assertFalse(oauth.deleteOAuthClient(delete(tenant)).getDeleted(), "idempotent");
            assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getOAuthClient(get(tenant))));
            assertEquals(PLATFORM_SECRET + "2", oauth.getOAuthClient(get(platform)).getClientSecret(), "deleting the tenant's left the platform's");
            assertTrue(oauth.deleteOAuthClient(delete(platform)).getDeleted());
            assertEquals(Status.Code.NOT_FOUND, code(() -> oauth.getOAuthClient(get(platform))));

            // 4 writes (2 of each), 5 reads (answered ones only), 2 deletes (of something).
            List<JsonNode> events = awaitEvents(audit, connector, 11);
            for (JsonNode event : events) {
                EventSchemas.assertMatchesItsSchema(event);
                assertFalse(event.toString().contains(PLATFORM_SECRET) || event.toString().contains(TENANT_SECRET), event.toString());
            }
            // Each client's events share a key, so they arrive in order.
            List<JsonNode> platformEvents = events.stream().filter(e -> e.path("subject").asText().equals("oauth-client/platform/" + connector)).toList();
            List<JsonNode> tenantEvents = events.stream().filter(e -> e.path("subject").asText()
                    .equals("oauth-client/tenant/" + TENANT + "/" + connector)).toList();
            assertEquals(11, platformEvents.size() + tenantEvents.size());
            assertEquals(List.of(AuditTrail.OAUTH_CLIENT_WRITTEN, AuditTrail.OAUTH_CLIENT_READ, AuditTrail.OAUTH_CLIENT_WRITTEN,
                    AuditTrail.OAUTH_CLIENT_READ, AuditTrail.OAUTH_CLIENT_READ, AuditTrail.OAUTH_CLIENT_DELETED),
                    platformEvents.stream().map(e -> e.path("type").asText()).toList());
            assertEquals(List.of(AuditTrail.OAUTH_CLIENT_WRITTEN, AuditTrail.OAUTH_CLIENT_READ, AuditTrail.OAUTH_CLIENT_WRITTEN,
                    AuditTrail.OAUTH_CLIENT_READ, AuditTrail.OAUTH_CLIENT_DELETED),
                    tenantEvents.stream().map(e -> e.path("type").asText()).toList());
            JsonNode firstWrite = platformEvents.get(0);
            assertEquals(AuditTrail.OAUTH_CLIENT_WRITTEN, firstWrite.path("type").asText());
            assertEquals("oauth-client/platform/" + connector, firstWrite.path("subject").asText());
            assertEquals("platform", firstWrite.path("data").path("owner").asText());
            assertTrue(firstWrite.path("data").path("tenantId").isMissingNode());
            assertEquals("[\"client_id\",\"client_secret\"]", firstWrite.path("data").path("fields").toString());
            assertEquals("user", firstWrite.path("data").path("actorKind").asText());
            assertEquals("ops", firstWrite.path("data").path("actor").asText(), "stored_by is who acted");
            assertEquals("oauth-service", firstWrite.path("data").path("via").asText());
            assertEquals(1, firstWrite.path("data").path("version").asInt());

            JsonNode read = platformEvents.get(1);
            assertEquals("authorize inst_1", read.path("data").path("purpose").asText());
            assertEquals("service", read.path("data").path("actorKind").asText());
            assertEquals("oauth-service", read.path("data").path("actor").asText());

            JsonNode tenantWrite = tenantEvents.get(0);
            assertEquals("tenant", tenantWrite.path("data").path("owner").asText());
            assertEquals(TENANT, tenantWrite.path("data").path("tenantId").asText());
            assertEquals("service", tenantWrite.path("data").path("actorKind").asText(), "no stored_by: the calling service acted");
            assertTrue(tenantWrite.path("data").path("via").isMissingNode());

            JsonNode tenantDelete = tenantEvents.get(4);
            assertEquals("[\"client_id\"]", tenantDelete.path("data").path("fields").toString(), "the public client had no secret");
            assertEquals(0, tenantDelete.path("data").path("version").asInt());
            assertEquals("[\"client_id\",\"client_secret\"]", platformEvents.get(5).path("data").path("fields").toString());
        }
    }

    @Test
    void aCompareAndSetAgainstAnotherVersionIsAbortedAndOfTwoRacingWritersExactlyOneWins() throws Exception {
        OAuthClientKey key = key(TENANT, connector());
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> oauth.putOAuthClient(put(key, "id", "secret-x", 3)));
        assertEquals(Status.Code.ABORTED, none.getStatus().getCode(), "nothing stored is not version 3");
        assertTrue(none.getStatus().getDescription().contains("is stored for tenant " + TENANT), none.getStatus().getDescription());

        assertEquals(1, oauth.putOAuthClient(put(key, "id-1", "secret-1", 0)).getVersion());
        assertEquals(2, oauth.putOAuthClient(put(key, "id-2", "secret-2", 1)).getVersion());
        StatusRuntimeException lost = assertThrows(StatusRuntimeException.class, () -> oauth.putOAuthClient(put(key, "id-x", "secret-x", 1)));
        assertEquals(Status.Code.ABORTED, lost.getStatus().getCode());
        assertTrue(lost.getStatus().getDescription().contains("is at version 2, not 1"), lost.getStatus().getDescription());
        assertEquals("secret-2", oauth.getOAuthClient(get(key)).getClientSecret(), "the loser changed nothing");

        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Object> outcomes = List.of("a", "b").stream().map(name -> CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                    return (Object) oauth.putOAuthClient(put(key, "id-" + name, "secret-" + name, 2)).getVersion();
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool)).toList().stream().map(CompletableFuture::join).toList();
            assertEquals(List.of(3L), outcomes.stream().filter(o -> o instanceof Long).toList(), "exactly one writer wins");
            assertEquals(List.of(Status.Code.ABORTED), outcomes.stream().filter(o -> o instanceof Status.Code).toList());
        } finally {
            pool.shutdownNow();
        }
        OAuthClient winner = oauth.getOAuthClient(get(key));
        assertEquals(3, winner.getVersion());
        assertEquals(winner.getClientId().replace("id-", "secret-"), winner.getClientSecret(), "the winner's client, whole");
    }

    @Test
    void onlyOAuthServiceMayCall() {
        OAuthClientKey key = key("", connector());
        oauth.putOAuthClient(put(key, "id", "secret-only-oauth", 0));
        Map<String, String> callers = Map.of(
                "a person's token, even with the service's name as subject", TestTokens.bearer("polymux", "oauth-service", "admin"),
                "an installer", TestTokens.bearer(TENANT, "charlie", "installer"),
                "dispatch-service", TestTokens.service("dispatch-service"),
                "registry-service", TestTokens.service("registry-service"));
        for (Map.Entry<String, String> caller : callers.entrySet()) {
            VaultServiceBlockingStub stub = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), caller.getValue());
            for (Function<VaultServiceBlockingStub, Object> call : List.<Function<VaultServiceBlockingStub, Object>>of(
                    s -> s.getOAuthClient(get(key)), s -> s.putOAuthClient(put(key, "id", "secret-overwritten", 0)),
                    s -> s.deleteOAuthClient(delete(key)))) {
                StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> call.apply(stub), caller.getKey());
                assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode(), caller.getKey());
                assertTrue(denied.getStatus().getDescription().contains("oauth-service"), denied.getStatus().getDescription());
            }
        }
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> VaultServiceGrpc.newBlockingStub(channel).getOAuthClient(get(key))));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel),
                TestTokens.bearerFromAStranger("", "oauth-service", "service")).getOAuthClient(get(key))), "a key nobody trusts");
        OAuthClient unchanged = oauth.getOAuthClient(get(key));
        assertEquals("secret-only-oauth", unchanged.getClientSecret(), "no refused call changed anything");
        assertEquals(1, unchanged.getVersion());
    }

    @Test
    void badInputIsRefusedWithoutEchoingIt() {
        String secret = "GOCSPX-MustNeverBeEchoed";
        String connector = connector();
        Map<String, PutOAuthClientRequest> puts = new java.util.LinkedHashMap<>();
        puts.put("no key", PutOAuthClientRequest.newBuilder().setClientId("id").setClientSecret(secret).build());
        puts.put("no connector", put(key(TENANT, ""), "id", secret, 0));
        puts.put("a connector id holding the secret", put(key(TENANT, secret), "id", secret, 0));
        puts.put("an upper-case connector id", put(key(TENANT, "Google-Drive"), "id", secret, 0));
        puts.put("a one-letter connector id", put(key(TENANT, "g"), "id", secret, 0));
        puts.put("a tenant id with a slash", put(key("wonka/" + secret, connector), "id", secret, 0));
        puts.put("a tenant id with a space", put(key(" wonka", connector), "id", secret, 0));
        puts.put("no client id", put(key(TENANT, connector), "", secret, 0));
        puts.put("a client id of 513 characters", put(key(TENANT, connector), "i".repeat(513), secret, 0));
        puts.put("a client id with a line break", put(key(TENANT, connector), "id\n", secret, 0));
        puts.put("a client secret of 4097 characters", put(key(TENANT, connector), "id", secret + "s".repeat(4097 - secret.length()), 0));
        puts.put("a client secret with a line break", put(key(TENANT, connector), "id", secret + "\n", 0));
        puts.put("a client secret beyond ASCII", put(key(TENANT, connector), "id", secret + "é", 0));
        puts.put("a negative expected version", put(key(TENANT, connector), "id", secret, -1));
        puts.put("a stored_by of 257 characters", put(key(TENANT, connector), "id", secret, 0).toBuilder().setStoredBy("o".repeat(257)).build());
        for (Map.Entry<String, PutOAuthClientRequest> bad : puts.entrySet()) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> oauth.putOAuthClient(bad.getValue()), bad.getKey());
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), bad.getKey());
            assertFalse(refused.getStatus().getDescription().contains(secret), bad.getKey() + ": " + refused.getStatus().getDescription());
            assertFalse(refused.getMessage().contains(secret), bad.getKey());
        }
        // Exactly at the limits is fine.
        assertEquals(1, oauth.putOAuthClient(put(key(TENANT, connector), "i".repeat(512), "s".repeat(4096), 0)).getVersion());

        for (OAuthClientKey bad : List.of(key(TENANT, secret), key(secret + "/x", connector), key("", ""))) {
            StatusRuntimeException get = assertThrows(StatusRuntimeException.class, () -> oauth.getOAuthClient(get(bad)));
            assertEquals(Status.Code.INVALID_ARGUMENT, get.getStatus().getCode());
            assertFalse(get.getStatus().getDescription().contains(secret), get.getStatus().getDescription());
            StatusRuntimeException delete = assertThrows(StatusRuntimeException.class, () -> oauth.deleteOAuthClient(delete(bad)));
            assertEquals(Status.Code.INVALID_ARGUMENT, delete.getStatus().getCode());
            assertFalse(delete.getStatus().getDescription().contains(secret), delete.getStatus().getDescription());
        }
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> oauth.getOAuthClient(GetOAuthClientRequest.getDefaultInstance())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> oauth.deleteOAuthClient(DeleteOAuthClientRequest.getDefaultInstance())));
    }

    @Test
    void clientsReadBackAfterRotationRewrapAndRetirementOfTheOldKeyWhichTheyHeldBack() throws Exception {
        OAuthClientKey platform = key("", connector());
        OAuthClientKey tenant = key(TENANT, platform.getConnectorId());
        given().header("Authorization", ADMIN).post("/admin/keys/rewrap").then().statusCode(200).body("pendingRewrap", equalTo(0));
        oauth.putOAuthClient(put(platform, "platform-rotating", PLATFORM_SECRET, 0));
        oauth.putOAuthClient(put(tenant, "tenant-rotating", TENANT_SECRET, 0));
        int old = keks.primaryKeyId();
        // A rotation without its rewrap, as a second replica would see it before the job ran: old data keys remain.
        int primary = keks.rotate();

        long installationFields = countWrappedBy("sealed_field", old);
        long clientFields = countWrappedBy("oauth_client_field", old);
        assertTrue(clientFields >= 4, "both clients' id and secret are under the old key: " + clientFields);
        // The key's data-key count, and the refusal to retire it, include the OAuth clients' fields.
        io.restassured.path.json.JsonPath status = given().header("Authorization", ADMIN).get("/admin/keys").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(installationFields + clientFields, status.getLong("keys.find { it.id == " + old + " }.dataKeys"));
        assertEquals(installationFields + clientFields - status.getLong("unreadable"), status.getLong("pendingRewrap"));
        given().header("Authorization", ADMIN).delete("/admin/keys/" + old).then().statusCode(409)
                .body("detail", containsString("still wraps " + (installationFields + clientFields) + " data key(s)"));

        given().header("Authorization", ADMIN).post("/admin/keys/rewrap").then().statusCode(200).body("pendingRewrap", equalTo(0));
        assertEquals(0, countWrappedBy("oauth_client_field", old), "the rewrap job moved the clients' data keys too");
        assertTrue(countWrappedBy("oauth_client_field", primary) >= 4);
        given().header("Authorization", ADMIN).delete("/admin/keys/" + old).then().statusCode(200);
        assertFalse(keks.keyIds().contains(old));

        assertEquals(PLATFORM_SECRET, oauth.getOAuthClient(get(platform)).getClientSecret());
        assertEquals("platform-rotating", oauth.getOAuthClient(get(platform)).getClientId());
        assertEquals(TENANT_SECRET, oauth.getOAuthClient(get(tenant)).getClientSecret());

        // And through the endpoint's own rotate, which rewraps before it answers.
        int before = keks.primaryKeyId();
        given().header("Authorization", ADMIN).post("/admin/keys/rotate").then().statusCode(200).body("pendingRewrap", equalTo(0));
        given().header("Authorization", ADMIN).delete("/admin/keys/" + before).then().statusCode(200);
        assertEquals(TENANT_SECRET, oauth.getOAuthClient(get(tenant)).getClientSecret());
    }

    private static long countWrappedBy(String table, int keyId) {
        return OnVertxContext.await(() -> Panache.withSession(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("select count(*) from " + table + " where kek_key_id = ?1", Long.class).setParameter(1, keyId)
                .getSingleResult())));
    }

    private static List<JsonNode> awaitEvents(KafkaEvents audit, String connector, int count) {
        List<JsonNode> events = new java.util.ArrayList<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            events.clear();
            audit.allMatching(r -> r.key() != null && r.key().endsWith("/" + connector), Duration.ofMillis(200))
                    .forEach(r -> events.add(KafkaEvents.parse(r.value())));
            return events.size() >= count;
        });
        assertEquals(count, events.size(), "audit events of " + connector);
        return events;
    }

    private static String connector() {
        return "conn-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static OAuthClientKey key(String tenant, String connector) {
        return OAuthClientKey.newBuilder().setTenantId(tenant).setConnectorId(connector).build();
    }

    private static GetOAuthClientRequest get(OAuthClientKey key) {
        return GetOAuthClientRequest.newBuilder().setKey(key).build();
    }

    private static DeleteOAuthClientRequest delete(OAuthClientKey key) {
        return DeleteOAuthClientRequest.newBuilder().setKey(key).build();
    }

    private static PutOAuthClientRequest put(OAuthClientKey key, String clientId, String clientSecret, long expectedVersion) {
        return PutOAuthClientRequest.newBuilder().setKey(key).setClientId(clientId).setClientSecret(clientSecret)
                .setExpectedVersion(expectedVersion).build();
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }
}
