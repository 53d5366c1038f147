package dev.polymux.dispatch;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.polymux.testing.contract.ServiceFoundationContract;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** dispatch-service on the real Kafka broker, and no database: see {@link ServiceFoundationContract}. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class DispatchFoundationTest extends ServiceFoundationContract {

    @Override
    protected String serviceName() {
        return "dispatch-service";
    }

    /** It keeps nothing: no datasource, no readiness that waits on a database it does not need. */
    @Test
    void runsWithoutADatabase() {
        given().port(managementPort())
                .when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.name", not(hasItem(containsString("Database"))));
        assertTrue(ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.db-kind", String.class).isEmpty(),
                "no datasource is configured");
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
