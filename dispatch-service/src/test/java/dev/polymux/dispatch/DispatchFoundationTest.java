package dev.polymux.dispatch;

import dev.polymux.testing.contract.ServiceFoundationContract;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** dispatch-service on a real PostgreSQL database of its own and the real Kafka broker: see {@link ServiceFoundationContract}. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
class DispatchFoundationTest extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "dispatch-service";
    }
}
