package dev.polymux.oauth.grant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.grant.repository.GrantRepository;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.PutTokenSetRequest;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * GetAccessToken answers from the access token oauth-service already holds: warm hand-outs read nothing from
 * vault-service (counted by its audit events, {@code dev.polymux.secret.read.v1}), yet never hand out a token that is
 * no longer the grant's current one, whoever changed it: this process, another replica (a direct vault write and grant
 * row update, as one would make), Invalidate here or elsewhere, revoke, broken.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class WarmAccessTokenTest {

    private static final String TENANT = "wayland";
    private static final String SECRET_READ = "dev.polymux.secret.read.v1";
    private static final String MARKER = "test marker ";
    /** A connector version of this class's own: handlers are built once per version, and other classes point acme-quirky elsewhere. */
    private static final String VERSION = "7.7.0";
    private static WireMockServer provider;

    @Inject
    GrantRepository grants;

    @BeforeAll
    static void startProvider() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
    }

    @AfterAll
    static void stopProvider() {
        provider.stop();
    }

    @Test
    void warmHandOutsReadNothingFromVault() throws Exception {
        String first = "at-" + UUID.randomUUID();
        String id = connected(first, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port); KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            long before = vaultReads(audit, id);
            for (int i = 0; i < 20; i++) {
                assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            }
            assertEquals(before, vaultReads(audit, id), "20 warm hand-outs, no vault read");
            // The scan does see oauth-service's reads of this installation: a refresh reads the refresh token, audited.
            String second = "at-" + UUID.randomUUID();
            tokenEndpoint(second, "rt-" + UUID.randomUUID(), 3600);
            assertTrue(tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder()
                    .setTenantId(TENANT).setInstallationId(id).setAccessToken(first).build()).getInvalidated());
            assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken());
            assertTrue(vaultReads(audit, id) > before, "the refresh read vault-service, and its audit event was counted");
        }
    }

    @Test
    void aRefreshByThisProcessIsHandedOutNextAndThenServedWarm() throws Exception {
        String first = "at-" + UUID.randomUUID();
        String id = connected(first, 120);
        try (Tokens tokens = new Tokens(RestAssured.port); KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            String second = "at-" + UUID.randomUUID();
            tokenEndpoint(second, "rt-" + UUID.randomUUID(), 3600);
            // The held token has under 120 s left: a caller who needs 10 minutes makes this process refresh.
            assertEquals(second, tokens.accessToken(TENANT, id, 600).getAccessToken());
            assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken());
            long before = vaultReads(audit, id);
            for (int i = 0; i < 10; i++) {
                assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken());
            }
            assertEquals(before, vaultReads(audit, id), "the refreshed token is served warm too");
        }
    }

    @Test
    void aRefreshByAnotherReplicaIsHandedOutOnTheNextCall() throws Exception {
        String first = "at-" + UUID.randomUUID();
        String id = connected(first, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port); VaultAsAnotherReplica replica = new VaultAsAnotherReplica()) {
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());

            // Another replica refreshes: it stores the new set in vault-service, then records its version in the grant row.
            String second = "at-" + UUID.randomUUID();
            long version = replica.storeRefreshed(id, second);
            OnVertxContext.await(() -> Panache.withTransaction(() -> grants.update(
                    "tokenVersion = ?1, expiresAt = ?2, updatedAt = ?3 where installationId = ?4",
                    version, Instant.now().plusSeconds(3600), Instant.now(), id)));

            assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken(), "the next call hands out the new token");
            assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken());
        }
    }

    @Test
    void afterInvalidateTheRejectedTokenIsNeverHandedOutAgain() throws Exception {
        String first = "at-" + UUID.randomUUID();
        String id = connected(first, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            String second = "at-" + UUID.randomUUID();
            tokenEndpoint(second, "rt-" + UUID.randomUUID(), 3600);
            assertTrue(tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder()
                    .setTenantId(TENANT).setInstallationId(id).setAccessToken(first).build()).getInvalidated());
            for (int i = 0; i < 5; i++) {
                assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken(), "call " + i + " after Invalidate");
            }
        }
    }

    @Test
    void anInvalidateRecordedByAnotherReplicaStopsTheHeldTokenOnTheNextCall() throws Exception {
        String first = "at-" + UUID.randomUUID();
        String id = connected(first, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            assertEquals(first, tokens.accessToken(TENANT, id, 60).getAccessToken());
            String second = "at-" + UUID.randomUUID();
            tokenEndpoint(second, "rt-" + UUID.randomUUID(), 3600);
            // What Invalidate on another replica writes: the rejected token's hash, and the grant due now.
            String rejectedHash = sha256(first);
            OnVertxContext.await(() -> Panache.withTransaction(() -> grants.update(
                    "invalidatedTokenHash = ?1, refreshAt = ?2, updatedAt = ?2 where installationId = ?3", rejectedHash, Instant.now(), id)));
            for (int i = 0; i < 5; i++) {
                assertEquals(second, tokens.accessToken(TENANT, id, 60).getAccessToken(), "call " + i + " after the other replica's Invalidate");
            }
        }
    }

    @Test
    void aRevokedOrBrokenGrantStopsHandOutsAtOnce() throws Exception {
        String revokedToken = "at-" + UUID.randomUUID();
        String revoked = connected(revokedToken, 3600);
        String brokenToken = "at-" + UUID.randomUUID();
        String broken = connected(brokenToken, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            assertEquals(revokedToken, tokens.accessToken(TENANT, revoked, 60).getAccessToken());
            assertEquals(brokenToken, tokens.accessToken(TENANT, broken, 60).getAccessToken());

            // As the projection (uninstall) or a refresher of any replica commits them.
            OnVertxContext.await(() -> Panache.withTransaction(() -> grants.update(
                    "status = ?1, statusReason = ?2, refreshAt = null where installationId = ?3",
                    OAuthGrant.REVOKED, "The plugin was uninstalled.", revoked)));
            OnVertxContext.await(() -> Panache.withTransaction(() -> grants.update(
                    "status = ?1, statusReason = ?2 where installationId = ?3", OAuthGrant.BROKEN, "Reconnect Acme.", broken)));

            StatusRuntimeException afterRevoke = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken(TENANT, revoked, 60));
            assertEquals(Status.Code.FAILED_PRECONDITION, afterRevoke.getStatus().getCode());
            assertEquals("The plugin was uninstalled.", afterRevoke.getStatus().getDescription());
            StatusRuntimeException afterBreak = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken(TENANT, broken, 60));
            assertEquals(Status.Code.FAILED_PRECONDITION, afterBreak.getStatus().getCode());
            assertEquals("Reconnect Acme.", afterBreak.getStatus().getDescription());
        }
    }

    @Test
    void anUninstallStopsHandOutsAsSoonAsTheGrantIsRevoked() throws Exception {
        String token = "at-" + UUID.randomUUID();
        String id = connected(token, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            assertEquals(token, tokens.accessToken(TENANT, id, 60).getAccessToken());
            KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                    {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                     "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","kind":"oauth"}}"""
                    .formatted(UUID.randomUUID(), dev.polymux.common.event.ConnectionEventTypes.INSTALLATION_REMOVED, id, Instant.now(),
                            TENANT, id),
                    Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> OAuthGrant.REVOKED.equals(OnVertxContext.await(() -> Panache.withSession(() -> grants.findById(id))).status));
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken(TENANT, id, 60));
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        }
    }

    @Test
    void theServiceTokenIsCheckedOnEveryWarmCall() throws Exception {
        String token = "at-" + UUID.randomUUID();
        String id = connected(token, 3600);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            assertEquals(token, tokens.accessToken(TENANT, id, 60).getAccessToken());
            var request = dev.polymux.proto.oauth.v1.GetAccessTokenRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).build();
            StatusRuntimeException notDispatch = assertThrows(StatusRuntimeException.class,
                    () -> tokens.oauthAs(TestTokens.service("registry-service")).getAccessToken(request));
            assertEquals(Status.Code.PERMISSION_DENIED, notDispatch.getStatus().getCode());
            StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class,
                    () -> tokens.oauthAs("Bearer not-a-token").getAccessToken(request));
            assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
            StatusRuntimeException otherTenant = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken("not-" + TENANT, id, 60));
            assertEquals(Status.Code.NOT_FOUND, otherTenant.getStatus().getCode(), "a held token is not another tenant's");
        }
    }

    /** A new installation connected through the WireMock provider, whose code exchange answers {@code accessToken}. */
    private static String connected(String accessToken, long expiresIn) {
        String id = Connections.installed(TENANT, "acme-quirky", VERSION, manifest());
        tokenEndpoint(accessToken, "rt-" + UUID.randomUUID(), expiresIn);
        String state = Connections.query(Connections.authorizeUrl(TENANT, id, null)).get("state");
        given().queryParams(Map.of("state", state, "code", "any-code")).get("/oauth/callback").then().statusCode(200)
                .body("status", equalTo("connected"));
        return id;
    }

    /**
     * How many secret reads vault-service audited for this installation so far, apart from this test's own markers. A
     * marker read goes last, and vault-service's audit events of one installation keep their order (one key): once
     * the marker is seen, every earlier read is too.
     */
    private static long vaultReads(KafkaEvents audit, String id) {
        String marker = MARKER + UUID.randomUUID();
        try (VaultAsAnotherReplica vault = new VaultAsAnotherReplica()) {
            vault.read(id, marker);
        }
        audit.await(r -> {
            var event = KafkaEvents.parse(r.value());
            return id.equals(event.path("subject").asText()) && marker.equals(event.path("data").path("purpose").asText());
        }, Duration.ofSeconds(20));
        return audit.allMatching(r -> {
            var event = KafkaEvents.parse(r.value());
            return SECRET_READ.equals(event.path("type").asText()) && id.equals(event.path("subject").asText())
                    && !event.path("data").path("purpose").asText().startsWith(MARKER);
        }, Duration.ZERO).size();
    }

    private static void tokenEndpoint(String accessToken, String refreshToken, long expiresIn) {
        provider.resetAll();
        provider.stubFor(post(urlEqualTo("/token")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"%s\",\"refresh_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":%d}"
                        .formatted(accessToken, refreshToken, expiresIn))));
    }

    private static String manifest() {
        return """
                {"id":"acme-quirky","version":"%s","label":"Acme","kind":"oauth",
                 "auth":{"authorizationUrl":"%s/authorize","tokenUrl":"%s/token","scopes":["read"],"pkce":true,
                   "brokenGrantMessage":"Access to Acme was revoked; reconnect the connection."},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(VERSION, provider.baseUrl(), provider.baseUrl());
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** vault-service as another oauth-service replica calls it: with oauth-service's service token. */
    private static final class VaultAsAnotherReplica implements AutoCloseable {

        private final ManagedChannel channel = GrpcChannels.open(VaultServiceChild.port);
        private final VaultServiceGrpc.VaultServiceBlockingStub vault = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel),
                TestTokens.service("oauth-service"));

        TokenSet read(String id, String purpose) {
            return vault.getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setPurpose(purpose).build());
        }

        /** Stores a refreshed set (compare-and-set on the version read), as a refresher does; the new version. */
        long storeRefreshed(String id, String accessToken) {
            TokenSet current = read(id, "refresh the grant");
            TokenSet refreshed = current.toBuilder().setAccessToken(accessToken).setRefreshToken("rt-" + UUID.randomUUID())
                    .setExpiresAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(Instant.now().plusSeconds(3600).getEpochSecond()))
                    .build();
            return vault.putTokenSet(PutTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(id).setTokenSet(refreshed)
                    .setExpectedVersion(current.getVersion()).build()).getVersion();
        }

        @Override
        public void close() {
            try {
                GrpcChannels.close(channel);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
