package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBroker;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * One record that cannot be written must not stop the dispatcher: a huge provider answer, a result or a DLQ copy the
 * broker refuses as too large. Each case runs beside a create-style call (not idempotent: the provider must see it
 * once) and another tenant's call, published together so that their results share a transaction; every call gets
 * exactly one result within seconds. A result the broker keeps refusing holds back no other call, and health says DOWN
 * while it cannot be committed.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class OneRecordNeverStopsTheOthersTest {

    private static final Duration SECONDS = Duration.ofSeconds(30);
    /** The test broker's tool-call topic (see the dispatcher's log: it is assigned partitions 0 to 2). */
    private static final int TOOL_CALL_PARTITIONS = 3;

    /** Two tenants with the suite installed and a key stored; {@code key} is the poison records' key. */
    private record Case(String tenant, String otherTenant, String key) {
        static Case start() {
            Suite.published();
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            Case setup = new Case("t-big-" + suffix, "t-other-" + suffix, "same-batch-" + suffix);
            for (String tenant : List.of(setup.tenant, setup.otherTenant)) {
                String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
                Platform.storeCredentials(tenant, id, "{\"value\":\"acme_live_" + suffix + "\"}");
            }
            return setup;
        }
    }

    @Test
    void aHugeAnswerFailsAloneAndItsNeighboursRunOnce() {
        Case setup = Case.start();
        String widget = "huge-" + UUID.randomUUID().toString().substring(0, 8);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"blob\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")));
        Neighbours neighbours = Neighbours.stubbed();

        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            String huge = "huge-" + UUID.randomUUID();
            calls.publish(ToolCalls.event(huge, setup.tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + widget + "\"}",
                    Instant.now().plusSeconds(30)));
            neighbours.publish(calls, setup);
            calls.flush();

            JsonNode failed = KafkaEvents.parse(results.await(record -> record.value().contains(huge), SECONDS).value());
            assertEquals("OUTPUT_TOO_LARGE", failed.path("data").path("error").path("code").asText(), failed.toString());
            assertTrue(failed.path("data").path("error").path("message").asText().matches(".*\\d+ bytes.*"),
                    "the message names the size: " + failed);
            neighbours.assertEachOnce(results, huge);
        }
    }

    @Test
    void aResultTheBrokerRefusesIsReplacedAloneAndNothingRunsTwice() {
        Case setup = Case.start();
        String widget = "big-" + UUID.randomUUID().toString().substring(0, 8);
        // 200 KB: under the output cap and the dispatcher's own record limit, over the topic's limit set below.
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"blob\":\"" + "y".repeat(200_000) + "\"}")));
        Neighbours neighbours = Neighbours.stubbed();

        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); KafkaEvents dlq = KafkaEvents.watch(EventTopics.TOOL_CALLS_DLQ);
                TopicLimit limit = TopicLimit.set(EventTopics.TOOL_RESULTS, 100_000); ToolCalls calls = new ToolCalls()) {
            String big = "big-" + UUID.randomUUID();
            calls.publish(ToolCalls.event(big, setup.tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + widget + "\"}",
                    Instant.now().plusSeconds(30)));
            neighbours.publish(calls, setup);
            calls.flush();

            JsonNode replaced = KafkaEvents.parse(results.await(record -> record.value().contains(big), SECONDS).value());
            assertEquals("OUTPUT_TOO_LARGE", replaced.path("data").path("error").path("code").asText(), replaced.toString());
            assertTrue(replaced.path("data").path("error").path("message").asText().contains("the provider call succeeded"), replaced.toString());
            ConsumerRecord<String, String> dead = dlq.await(record -> record.value().contains(big), SECONDS);
            assertEquals("result-too-large", header(dead, "polymux-dlq-reason"));
            neighbours.assertEachOnce(results, big);
        }
    }

    @Test
    void aDlqCopyIsCutToFitWithAHeaderSayingSo() {
        Case setup = Case.start();
        Neighbours neighbours = Neighbours.stubbed();
        // Not JSON, just under the test's max-event-bytes (256 KiB), with 30 KB of headers: its DLQ copy is over the
        // DLQ topic's limit set below.
        byte[] poison = ("{{{ not json " + "z".repeat(250_000)).getBytes(StandardCharsets.UTF_8);

        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); KafkaEvents dlq = KafkaEvents.watch(EventTopics.TOOL_CALLS_DLQ);
                TopicLimit limit = TopicLimit.set(EventTopics.TOOL_CALLS_DLQ, 60_000); ToolCalls calls = new ToolCalls()) {
            publishWithHeader(setup.key(), poison, "x-engine-trace", "t".repeat(30_000));
            neighbours.publish(calls, setup);
            calls.flush();

            ConsumerRecord<String, String> dead = dlq.await(record -> setup.key().equals(record.key()), SECONDS);
            assertEquals("not-json", header(dead, "polymux-dlq-reason"));
            assertTrue(header(dead, "polymux-dlq-truncated").startsWith(poison.length + " bytes"), "says it was cut: "
                    + header(dead, "polymux-dlq-truncated"));
            assertTrue(dead.value().length() < 60_000 && dead.value().length() > 1000, "cut to fit: " + dead.value().length());
            assertTrue(new String(poison, StandardCharsets.UTF_8).startsWith(dead.value()), "the start of the event is kept");
            neighbours.assertEachOnce(results, null);
        }
    }

    @Test
    void aResultTheBrokerKeepsRefusingStopsNoOtherCallAndHealthSaysDownUntilItIsCommitted() {
        Case setup = Case.start();
        String widget = "stuck-" + UUID.randomUUID().toString().substring(0, 8);
        // 25 KB: smaller than the least a record may ever be given (32 KiB), larger than the topic's limit below (20 KB,
        // above the producer's 16 KiB batches, as the README requires), so it cannot commit until the limit is lifted.
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"blob\":\"" + "s".repeat(25_000) + "\"}")));
        Neighbours neighbours = Neighbours.stubbed();
        String stuck = "stuck-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            try (TopicLimit limit = TopicLimit.set(EventTopics.TOOL_RESULTS, 20_000)) {
                calls.publish(ToolCalls.event(stuck, setup.tenant(), Suite.PLUGIN, "acme", "get_widget",
                        "{\"id\":\"" + widget + "\"}", Instant.now().plusSeconds(60)));
                neighbours.publish(calls, setup);
                calls.flush();
                // The neighbours do not wait for it: the result the broker refuses is retried in transactions of its own.
                neighbours.assertEachOnce(results, null);
                // %test stall-after is 10 s: the call that cannot be committed is reported.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> health("/q/health/live") == 503);
                assertEquals(503, health("/q/health/ready"));
            }
            // The broker takes the record again: it commits with the outcome it had, and health recovers.
            JsonNode result = KafkaEvents.parse(results.await(record -> record.value().contains(stuck), SECONDS).value());
            assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            assertEquals(1, results.allMatching(record -> record.value().contains(stuck), Duration.ofSeconds(2)).size(),
                    "exactly one result for " + stuck);
            ProviderStub.server().verify(1, getRequestedFor(urlEqualTo("/widgets/" + widget)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> health("/q/health/live") == 200);
        }
    }

    /**
     * A create-style call of the first tenant and reads of the other tenant, one on every partition (so that some come
     * from a partition the dispatcher looks at after the troublemaker's), beside the case's troublemaker.
     */
    private record Neighbours(String sku, String otherWidget, String create, List<String> reads) {
        static Neighbours stubbed() {
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            List<String> reads = java.util.stream.IntStream.range(0, TOOL_CALL_PARTITIONS).mapToObj(partition -> "read-" + partition + "-" + UUID.randomUUID()).toList();
            Neighbours neighbours = new Neighbours("sku-" + suffix, "w-" + suffix, "create-" + UUID.randomUUID(), reads);
            ProviderStub.server().stubFor(post(urlEqualTo("/orders")).withRequestBody(equalToJson("{\"sku\":\"" + neighbours.sku + "\"}"))
                    .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"order\":\"o-" + suffix + "\"}")));
            ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + neighbours.otherWidget)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"id\":\"" + neighbours.otherWidget + "\"}")));
            return neighbours;
        }

        void publish(ToolCalls calls, Case setup) {
            calls.publish(ToolCalls.event(create, setup.tenant(), Suite.PLUGIN, "acme", "create_order", "{\"sku\":\"" + sku + "\"}",
                    Instant.now().plusSeconds(60)));
            for (int partition = 0; partition < reads.size(); partition++) {
                calls.publish(partition, ToolCalls.event(reads.get(partition), setup.otherTenant(), Suite.PLUGIN, "acme", "get_widget",
                        "{\"id\":\"" + otherWidget + "\"}", Instant.now().plusSeconds(60)));
            }
        }

        private List<String> all() {
            List<String> all = new java.util.ArrayList<>(reads);
            all.addFirst(create);
            return all;
        }

        /** Both succeeded, each has exactly one result (so has the troublemaker), and the provider saw the create once. */
        void assertEachOnce(KafkaEvents results, String troublemaker) {
            for (String call : all()) {
                JsonNode result = KafkaEvents.parse(results.await(record -> record.value().contains(call), SECONDS).value());
                assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            }
            List<String> each = all();
            if (troublemaker != null) {
                each.add(troublemaker);
            }
            for (String call : each) {
                assertEquals(1, results.allMatching(record -> record.value().contains(call), Duration.ofSeconds(2)).size(),
                        "exactly one result for " + call);
            }
            ProviderStub.server().verify(1, postRequestedFor(urlEqualTo("/orders")).withRequestBody(equalToJson("{\"sku\":\"" + sku + "\"}")));
        }
    }

    /** A topic's max.message.bytes lowered for one test (as a broker with a smaller limit than ours would have). */
    private static final class TopicLimit implements AutoCloseable {
        private final String topic;

        private TopicLimit(String topic) {
            this.topic = topic;
        }

        static TopicLimit set(String topic, int bytes) {
            KafkaBroker.ensureTopic(topic, 3);
            alter(topic, new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(bytes)), AlterConfigOp.OpType.SET));
            return new TopicLimit(topic);
        }

        @Override
        public void close() {
            alter(topic, new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE));
        }

        private static void alter(String topic, AlterConfigOp op) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                Map<ConfigResource, Collection<AlterConfigOp>> change = Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(op));
                admin.incrementalAlterConfigs(change).all().get();
            } catch (Exception e) {
                throw new IllegalStateException("Could not change the limit of " + topic, e);
            }
        }
    }

    private static void publishWithHeader(String key, byte[] value, String header, String headerValue) {
        Map<String, Object> config = new java.util.HashMap<>(KafkaBroker.clientConfig());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(EventTopics.TOOL_CALLS, key.getBytes(StandardCharsets.UTF_8), value);
            record.headers().add(header, headerValue.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not publish", e);
        }
    }

    private static int health(String path) {
        return RestAssured.given().port(19284).get(path).statusCode();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
