package dev.polymux.oauth;

import dev.polymux.testing.contract.ServiceFoundationContract;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * oauth-service as built, its jar or, with -Pnative, its native binary: readiness, metrics, gRPC health and problem+json
 * answered by the artifact itself (README, "Operations": native images). The native profile runs it; a JVM build runs
 * it with -DskipITs=false.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class OAuthServiceIT extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "oauth-service";
    }
}
