package dev.polymux.oauth.identity;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.polymux.oauth.clientregistration.client.VaultClientSecrets;
import dev.polymux.oauth.support.ServiceIdentityIssuer;
import dev.polymux.oauth.support.VaultTrustingTheIssuer;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * oauth-service's own token for internal gRPC comes from the issuer's client-credentials grant and is renewed in the
 * process: with tokens of 10 seconds, calls to vault-service (which accepts only the issuer's tokens) keep working
 * for over a minute, where a fixed token would have been refused after its first 10 seconds.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
@WithTestResource(ServiceIdentityIssuer.class)
@WithTestResource(VaultTrustingTheIssuer.class)
class ServiceIdentityRenewalTest {

    @Inject
    VaultClientSecrets vault;

    @Test
    void internalCallsKeepWorkingAcrossManyTokenLifetimes() throws Exception {
        Instant until = Instant.now().plusSeconds(65);
        int calls = 0;
        while (Instant.now().isBefore(until)) {
            // An authenticated call that finds nothing (null); a refused token would fail it with UNAUTHENTICATED.
            assertNull(vault.read("", "no-such-connector", "a renewal test").await().atMost(Duration.ofSeconds(15)), "call " + calls);
            calls++;
            Thread.sleep(2000);
        }
        int grants = ServiceIdentityIssuer.clientCredentialsGrants();
        assertTrue(grants >= 6, "65 s of 10 s tokens need at least 6 tokens; the issuer gave " + grants + " for " + calls + " calls");
        assertTrue(grants <= calls, "a token is reused until it is due, not fetched for every call: " + grants + " for " + calls + " calls");
    }
}
