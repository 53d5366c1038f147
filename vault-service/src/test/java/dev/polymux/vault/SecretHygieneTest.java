package dev.polymux.vault;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.polymux.common.event.EventTopics;
import dev.polymux.proto.vault.v1.DeleteInstallationSecretsRequest;
import dev.polymux.proto.vault.v1.DeleteOAuthClientRequest;
import dev.polymux.proto.vault.v1.GetOAuthClientRequest;
import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.OAuthClientKey;
import dev.polymux.proto.vault.v1.PutOAuthClientRequest;
import dev.polymux.proto.vault.v1.PutTokenSetRequest;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.proto.vault.v1.VaultServiceGrpc.VaultServiceBlockingStub;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.logging.LogCapture;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.audit.service.AuditTrail;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Stores known secrets (installations' values, token sets, OAuth clients), drives every API path (failures included),
 * then scans what left the service — log lines, events on the real broker, REST bodies, gRPC status messages,
 * metrics — for those values: zero hits.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class SecretHygieneTest {

    private static final String TENANT = "dunder";
    private static final String INSTALLER = TestTokens.bearer(TENANT, "dwight", "installer");
    private static final String ADMIN = TestTokens.bearer("polymux", "ops", "admin");

    private static final String SINGLE_VALUE = "rk_test_HygieneBeetFarm";
    private static final String PAIR_PASSWORD = "Hygiene-Schrute-Password";
    private static final String TUPLE_SECRET = "Hygiene-Tuple-Secret-Key";
    private static final String REJECTED_VALUE = "Hygiene-Rejected-Not-A-Field";
    private static final String ACCESS_TOKEN = "Hygiene-Access-Token-ya29";
    private static final String REFRESH_TOKEN = "Hygiene-Refresh-Token-1//0g";
    private static final String LOSING_REFRESH_TOKEN = "Hygiene-Losing-Refresh-Token";
    private static final String PLATFORM_CLIENT_SECRET = "Hygiene-Platform-Client-Secret-GOCSPX";
    private static final String TENANT_CLIENT_SECRET = "Hygiene-Tenant-Own-Client-Secret";
    private static final String LOSING_CLIENT_SECRET = "Hygiene-Losing-Client-Secret";
    private static final String REJECTED_CLIENT_SECRET = "Hygiene-Rejected-Client-Secret";
    private static final List<String> SECRETS = List.of(SINGLE_VALUE, PAIR_PASSWORD, TUPLE_SECRET, REJECTED_VALUE, ACCESS_TOKEN,
            REFRESH_TOKEN, LOSING_REFRESH_TOKEN, PLATFORM_CLIENT_SECRET, TENANT_CLIENT_SECRET, LOSING_CLIENT_SECRET, REJECTED_CLIENT_SECRET);

    private final List<String> answers = new ArrayList<>();

    @Test
    void noStoredValueEverLeavesExceptThroughGetSecretGetTokenSetAndGetOAuthClient() throws Exception {
        try (LogCapture logs = LogCapture.start();
                KafkaEvents connection = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS);
                KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            driveEveryPath();

            List<ConsumerRecord<String, String>> events = new ArrayList<>();
            events.addAll(connection.allMatching(r -> true, Duration.ofSeconds(3)));
            events.addAll(audit.allMatching(r -> true, Duration.ofMillis(500)));
            assertTrue(events.size() > 10, "the scan saw the events of the paths driven: " + events.size());
            assertTrue(logs.lines().size() > 5, "the scan saw log lines: " + logs.lines().size());
            for (String type : List.of(AuditTrail.OAUTH_CLIENT_WRITTEN, AuditTrail.OAUTH_CLIENT_READ, AuditTrail.OAUTH_CLIENT_DELETED)) {
                assertTrue(events.stream().anyMatch(r -> r.value().contains(type)), "the scan saw the OAuth client paths' " + type);
            }
            assertTrue(logs.lines().stream().anyMatch(line -> line.startsWith("dev.polymux.vault.installation") && line.contains(" known")),
                    "the scan sees DEBUG lines of our own code too");
            String metrics = given().port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class))
                    .get("/q/metrics").then().statusCode(200).extract().asString();

            for (String secret : SECRETS) {
                assertEquals(List.of(), logs.linesContaining(secret), "log lines holding " + secret);
                assertEquals(List.of(), events.stream().filter(r -> contains(r, secret)).map(ConsumerRecord::value).toList(),
                        "events holding " + secret);
                assertEquals(List.of(), answers.stream().filter(answer -> answer.contains(secret)).toList(), "answers holding " + secret);
                assertTrue(!metrics.contains(secret), "metrics holding " + secret);
            }
        }
    }

    private void driveEveryPath() throws Exception {
        String single = Installations.created(TENANT, "vault", Installations.SINGLE, INSTALLER);
        String pair = Installations.created(TENANT, "vault", Installations.PAIR, INSTALLER);
        String tuple = Installations.created(TENANT, "integration", Installations.TUPLE, INSTALLER);
        String grant = Installations.created(TENANT, "oauth", null, INSTALLER);

        // REST: stores, refusals of every kind, descriptions, deletes.
        rest(() -> put(single, "{\"value\":\"" + SINGLE_VALUE + "\"}", INSTALLER));
        rest(() -> put(pair, "{\"username\":\"dwight\",\"password\":\"" + PAIR_PASSWORD + "\"}", INSTALLER));
        rest(() -> put(tuple, "{\"access_key\":\"AKIADUNDER\",\"secret_key\":\"" + TUPLE_SECRET + "\"}", INSTALLER));
        rest(() -> put(single, "{\"value\":\"" + SINGLE_VALUE + "\",\"other\":\"" + REJECTED_VALUE + "\"}", INSTALLER));
        rest(() -> put(single, "{\"value\":\"" + REJECTED_VALUE + "\"}", INSTALLER)); // wrong form
        rest(() -> put(single, "{\"value\":\"rk_test_" + REJECTED_VALUE.repeat(10) + "\"}", INSTALLER)); // oversize
        rest(() -> put(single, "{\"value\": \"" + REJECTED_VALUE, INSTALLER)); // not JSON
        rest(() -> put(pair, "{\"username\":[\"" + REJECTED_VALUE + "\"],\"password\":\"" + PAIR_PASSWORD + "\"}", INSTALLER));
        rest(() -> put(grant, "{\"value\":\"" + REJECTED_VALUE + "\"}", INSTALLER)); // oauth: not pastable
        rest(() -> put(single, "{\"value\":\"" + REJECTED_VALUE + "\"}", TestTokens.bearer("creed", "creed", "installer")));
        rest(() -> given().contentType(ContentType.JSON).body("{\"value\":\"" + REJECTED_VALUE + "\"}")
                .put("/tenants/" + TENANT + "/credentials/" + single).asString());
        rest(() -> given().header("Authorization", INSTALLER).get("/tenants/" + TENANT + "/credentials/" + pair).asString());
        rest(() -> given().header("Authorization", INSTALLER).delete("/tenants/" + TENANT + "/credentials/" + tuple).asString());

        ManagedChannel channel = GrpcChannels.open(RestAssured.port);
        try {
            VaultServiceBlockingStub dispatch = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"));
            VaultServiceBlockingStub oauth = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("oauth-service"));
            VaultServiceBlockingStub stranger = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("billing"));

            grpc(() -> dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(single).setPurpose("hygiene").build()));
            grpc(() -> dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(pair).build()));
            grpc(() -> dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(tuple).build()));
            grpc(() -> stranger.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(single).build()));
            grpc(() -> dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId("creed").setInstallationId(single).build()));

            TokenSet tokens = TokenSet.newBuilder().setAccessToken(ACCESS_TOKEN).setRefreshToken(REFRESH_TOKEN).setTokenType("Bearer").build();
            grpc(() -> oauth.putTokenSet(PutTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(grant).setTokenSet(tokens).build()));
            grpc(() -> oauth.putTokenSet(PutTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(grant)
                    .setTokenSet(tokens.toBuilder().setRefreshToken(LOSING_REFRESH_TOKEN)).setExpectedVersion(7).build())); // ABORTED
            grpc(() -> oauth.putTokenSet(PutTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(single)
                    .setTokenSet(tokens.toBuilder().setRefreshToken(LOSING_REFRESH_TOKEN)).build())); // not oauth
            grpc(() -> oauth.getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(grant).build()));
            grpc(() -> dispatch.getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(TENANT).setInstallationId(grant).build()));

            // OAuth clients: the platform's and the tenant's own, refusals of every kind, reads.
            OAuthClientKey platformClient = OAuthClientKey.newBuilder().setConnectorId("hygiene-drive").build();
            OAuthClientKey tenantClient = platformClient.toBuilder().setTenantId(TENANT).build();
            grpc(() -> oauth.putOAuthClient(client(platformClient, PLATFORM_CLIENT_SECRET, 0).toBuilder().setStoredBy("ops").build()));
            grpc(() -> oauth.putOAuthClient(client(tenantClient, TENANT_CLIENT_SECRET, 0)));
            grpc(() -> oauth.putOAuthClient(client(tenantClient, LOSING_CLIENT_SECRET, 7))); // ABORTED
            grpc(() -> oauth.putOAuthClient(client(tenantClient.toBuilder().setConnectorId(REJECTED_CLIENT_SECRET).build(),
                    REJECTED_CLIENT_SECRET, 0))); // not a connector id
            grpc(() -> oauth.putOAuthClient(client(tenantClient.toBuilder().setTenantId(REJECTED_CLIENT_SECRET + "/x").build(),
                    REJECTED_CLIENT_SECRET, 0))); // not a tenant id
            grpc(() -> oauth.putOAuthClient(client(tenantClient, REJECTED_CLIENT_SECRET + "\n", 0))); // a line break
            grpc(() -> oauth.putOAuthClient(client(tenantClient, REJECTED_CLIENT_SECRET.repeat(200), 0))); // oversize
            grpc(() -> oauth.putOAuthClient(client(tenantClient, REJECTED_CLIENT_SECRET, 0).toBuilder().setClientId("").build()));
            grpc(() -> dispatch.putOAuthClient(client(tenantClient, REJECTED_CLIENT_SECRET, 0))); // not oauth-service
            grpc(() -> stranger.getOAuthClient(GetOAuthClientRequest.newBuilder().setKey(tenantClient).build()));
            grpc(() -> oauth.getOAuthClient(GetOAuthClientRequest.newBuilder().setKey(platformClient).setPurpose("hygiene").build()));
            grpc(() -> oauth.getOAuthClient(GetOAuthClientRequest.newBuilder().setKey(tenantClient.toBuilder().setTenantId("creed")).build()));

            rest(() -> given().header("Authorization", ADMIN).post("/admin/keys/rotate").asString());
            grpc(() -> dispatch.getSecret(GetSecretRequest.newBuilder().setTenantId(TENANT).setInstallationId(single).build()));
            grpc(() -> oauth.getOAuthClient(GetOAuthClientRequest.newBuilder().setKey(tenantClient).build()));
            grpc(() -> oauth.deleteOAuthClient(DeleteOAuthClientRequest.newBuilder().setKey(platformClient).build()));
            grpc(() -> oauth.deleteInstallationSecrets(DeleteInstallationSecretsRequest.newBuilder().setTenantId(TENANT)
                    .setInstallationId(grant).build()));
            Installations.removed(TENANT, pair, "vault");
        } finally {
            GrpcChannels.close(channel);
        }
    }

    private static PutOAuthClientRequest client(OAuthClientKey key, String secret, long expectedVersion) {
        return PutOAuthClientRequest.newBuilder().setKey(key).setClientId("hygiene-client.apps.example.com").setClientSecret(secret)
                .setExpectedVersion(expectedVersion).build();
    }

    private static String put(String id, String body, String bearer) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON).body(body)
                .put("/tenants/" + TENANT + "/credentials/" + id).asString();
    }

    private void rest(Supplier<String> call) {
        answers.add(call.get());
    }

    /** Keeps a gRPC failure's status message for the scan; successful answers do carry values, by design, and are dropped. */
    private void grpc(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            answers.add(e.getStatus() + " " + e.getMessage());
        }
    }

    private static boolean contains(ConsumerRecord<String, String> record, String secret) {
        if ((record.value() != null && record.value().contains(secret)) || (record.key() != null && record.key().contains(secret))) {
            return true;
        }
        for (var header : record.headers()) {
            if (new String(header.value(), StandardCharsets.UTF_8).contains(secret)) {
                return true;
            }
        }
        return false;
    }
}
