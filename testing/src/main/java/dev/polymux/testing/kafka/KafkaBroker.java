package dev.polymux.testing.kafka;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker (KRaft, one combined broker/controller node) running inside the test JVM, started
 * once per JVM and shared by every test class of a module; it stops when the JVM exits. Built from the same
 * Kafka release as the services' clients, from Maven Central, so no Docker and no installed Kafka are needed.
 */
public final class KafkaBroker {

    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);
    private static KafkaClusterTestKit cluster;

    private KafkaBroker() {
    }

    /** A broker the test runs itself (system-tests, which restart it): its bootstrap servers, as a system property. */
    public static final String EXTERNAL_BOOTSTRAP = "polymux.test.kafka-bootstrap";

    /** Starts the broker on first use (unless {@link #EXTERNAL_BOOTSTRAP} names one); returns its bootstrap servers. */
    public static synchronized String bootstrapServers() {
        String external = System.getProperty(EXTERNAL_BOOTSTRAP);
        if (external != null) {
            return external;
        }
        if (cluster == null) {
            cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(KafkaBroker::stop, "kafka-test-broker-stop"));
        }
        return cluster.bootstrapServers();
    }

    /** Creates the topic unless it exists; tests use it before consuming from a topic nobody produced to yet. */
    public static void ensureTopic(String topic, int partitions) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        }
    }

    private static KafkaClusterTestKit start() {
        long started = System.nanoTime();
        // A broker thread that hits a fatal path calls Exit.exit/halt; in a test JVM that would end the test run with
        // a non-zero status after every test passed (seen when the broker stops in the JVM's shutdown hook).
        org.apache.kafka.common.utils.Exit.setExitProcedure((status, message) -> LOG.warnf("Kafka test broker asked to exit(%d): %s", status, message));
        org.apache.kafka.common.utils.Exit.setHaltProcedure((status, message) -> LOG.warnf("Kafka test broker asked to halt(%d): %s", status, message));
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "3")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "3")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            LOG.infof("Kafka broker for tests: Apache Kafka %s (KRaft, in-process) ready at %s in %d ms",
                    org.apache.kafka.common.utils.AppInfoParser.getVersion(), kit.bootstrapServers(),
                    (System.nanoTime() - started) / 1_000_000);
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the in-process Kafka broker for tests: " + e.getMessage(), e);
        }
    }

    private static synchronized void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                LOG.debug("Kafka test broker did not close cleanly", e);
            }
            cluster = null;
        }
    }

    /** Client settings for a plain Kafka client in a test. */
    public static Map<String, Object> clientConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }
}
