package dev.polymux.testing.kafka;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the Quarkus app under test at the shared in-process Kafka broker. Use it on every {@code @QuarkusTest}
 * of a module, together with {@link dev.polymux.testing.postgres.PostgresResource}, so the classes share one start.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", KafkaBroker.bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker outlives one app start: other test classes of the module reuse it. It stops with the JVM.
    }
}
