package dev.polymux.vault.crypto.transit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.polymux.proto.vault.v1.GetSecretRequest;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.crypto.EnvelopeCipher;
import dev.polymux.vault.crypto.KeyEncryptionKeys;
import dev.polymux.vault.crypto.SealedValue;
import dev.polymux.vault.crypto.SecretContext;
import dev.polymux.vault.support.Installations;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The Transit KEK backend through quarkus-vault, against {@link TransitStub} (no Vault server can run on the build
 * machines): data keys wrapped in Vault with the secret's context, Transit rotation, rewrap, retirement by
 * min_decryption_version. Its own app start, with the stub as an extra test resource.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
@WithTestResource(TransitStub.class)
class TransitBackendTest {

    private static final String INSTALLER = TestTokens.bearer("wernham", "neil", "installer");
    private static final String ADMIN = TestTokens.bearer("polymux", "ops", "admin");
    private static final String VALUE = "rk_live_WernhamHoggTransit";

    @Inject
    KeyEncryptionKeys keks;

    @Inject
    EnvelopeCipher cipher;

    @Test
    void valuesAreWrappedByTransitRotateRewrapAndRetireWithoutLosingAReadAndVaultNeverSeesThem() throws Exception {
        assertEquals("vault", keks.backend());
        String id = Installations.created("wernham", "vault", Installations.SINGLE, INSTALLER);
        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"" + VALUE + "\"}")
                .put("/tenants/wernham/credentials/" + id).then().statusCode(200);
        given().header("Authorization", ADMIN).get("/admin/keys").then().statusCode(200)
                .body("backend", equalTo("vault")).body("primaryKeyId", equalTo(1)).body("keys[0].dataKeys", equalTo(1));
        assertEquals(VALUE, read(id));

        given().header("Authorization", ADMIN).post("/admin/keys/rotate").then().statusCode(200)
                .body("primaryKeyId", equalTo(2)).body("pendingRewrap", equalTo(0));
        given().header("Authorization", ADMIN).delete("/admin/keys/2").then().statusCode(409).body("detail", containsString("primary"));
        given().header("Authorization", ADMIN).delete("/admin/keys/1").then().statusCode(200).body("keys.id", equalTo(java.util.List.of(2)));
        assertEquals(VALUE, read(id), "reads after rotation, rewrap and retirement");

        // Vault only ever saw wrapped data keys, never the value itself.
        assertTrue(TransitStub.BODIES.stream().noneMatch(body -> body.contains(VALUE)));
        assertTrue(TransitStub.BODIES.stream().noneMatch(body -> body.contains(java.util.Base64.getEncoder()
                .encodeToString(VALUE.getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void aDataKeyWrappedForOneInstallationDoesNotUnwrapForAnother() throws Exception {
        SealedValue sealed = cipher.seal("value".getBytes(StandardCharsets.UTF_8), new SecretContext("wernham", "inst_a", "value"));
        assertTrue(new String(sealed.wrappedDataKey(), StandardCharsets.US_ASCII).startsWith("vault:v"));
        assertThrows(GeneralSecurityException.class, () -> cipher.open(sealed, new SecretContext("wernham", "inst_b", "value")));
        assertEquals("value", new String(cipher.open(sealed, new SecretContext("wernham", "inst_a", "value")), StandardCharsets.UTF_8));
    }

    private static String read(String id) throws InterruptedException {
        ManagedChannel channel = GrpcChannels.open(RestAssured.port);
        try {
            return GrpcChannels.as(VaultServiceGrpc.newBlockingStub(channel), TestTokens.service("dispatch-service"))
                    .getSecret(GetSecretRequest.newBuilder().setTenantId("wernham").setInstallationId(id).build())
                    .getFieldsOrThrow("value").toString(StandardCharsets.UTF_8);
        } finally {
            GrpcChannels.close(channel);
        }
    }
}
