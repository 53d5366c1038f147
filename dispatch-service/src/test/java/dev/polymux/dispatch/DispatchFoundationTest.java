package dev.polymux.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

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

    /**
     * Each replica reads every connection event to drop what it cached, in a consumer group of its own. A group named
     * anew at every start left one group behind per restart on the broker; the replica's stable id names it instead.
     */
    @Test
    void theCacheConsumerGroupIsTheReplicasOwnAndOutlivesARestart() {
        Config config = ConfigProvider.getConfig();
        String replica = config.getValue("polymux.dispatch.calls.transactional-id", String.class);
        assertEquals("dispatch-cache-" + replica, config.getValue("mp.messaging.incoming.connection-events.group.id", String.class));
    }
}
