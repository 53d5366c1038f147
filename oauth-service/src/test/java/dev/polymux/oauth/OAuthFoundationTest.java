package dev.polymux.oauth;

import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.testing.contract.ApiServiceFoundationContract;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** oauth-service on a real PostgreSQL database of its own and the real Kafka broker: see {@link ApiServiceFoundationContract}. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class OAuthFoundationTest extends ApiServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "oauth-service";
    }
}
