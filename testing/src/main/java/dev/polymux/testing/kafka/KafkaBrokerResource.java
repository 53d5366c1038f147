package dev.polymux.testing.kafka;

import java.util.List;
import java.util.Map;

import dev.polymux.common.event.EventTopics;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the Quarkus app under test at the shared in-process Kafka broker. Use it on every {@code @QuarkusTest}
 * of a module, together with {@link dev.polymux.testing.postgres.PostgresResource}, so the classes share one start.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    /** The platform's topics exist before the app starts, as they do in production (provisioned, e.g. by Strimzi). */
    static final List<String> PLATFORM_TOPICS = List.of(EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS,
            EventTopics.TOOL_CALLS_DLQ, EventTopics.CONNECTION_EVENTS, EventTopics.REGISTRY_EVENTS, EventTopics.AUDIT_EVENTS);

    @Override
    public Map<String, String> start() {
        PLATFORM_TOPICS.forEach(topic -> KafkaBroker.ensureTopic(topic, 3));
        return Map.of("kafka.bootstrap.servers", KafkaBroker.bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker outlives one app start: other test classes of the module reuse it. It stops with the JVM.
    }
}
