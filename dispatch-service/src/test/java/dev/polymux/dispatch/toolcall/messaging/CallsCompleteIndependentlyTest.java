package dev.polymux.dispatch.toolcall.messaging;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

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

/**
 * No tenant waits for another: a call to a slow provider, or one told to wait by a Retry-After, does not hold back the
 * calls published after it on the same partition. Their results are committed while it runs, and the commit records it
 * as the one call not done, so that a crash now would run it, and only it, again. A call whose Kafka key is not its
 * connection's is refused: per-installation limits hold only when one replica sees all of an installation's calls.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class CallsCompleteIndependentlyTest {

    private static final Duration SECONDS = Duration.ofSeconds(30);

    @BeforeEach
    void platform() {
        Suite.published();
    }

    @Test
    void aSlowProvidersCallDoesNotHoldBackTheCallsPublishedAfterItOnTheSamePartition() throws Exception {
        String slowTenant = tenantWithKey("t-slow-");
        String fastTenant = tenantWithKey("t-fast-");
        String slowWidget = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + slowWidget)).willReturn(aResponse().withStatus(200).withFixedDelay(8_000)
                .withHeader("Content-Type", "application/json").withBody("{\"slow\":true}")));
        String fastWidget = stubFast();
        String slow = "slow-" + UUID.randomUUID();
        List<String> fast = new ArrayList<>();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(0, ToolCalls.event(slow, slowTenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + slowWidget + "\"}",
                    Instant.now().plusSeconds(60)));
            calls.flush();
            awaitProviderRequest("/widgets/" + slowWidget); // it runs, and holds the partition's lowest offset
            for (int i = 0; i < 30; i++) {
                String id = "fast-" + i + "-" + UUID.randomUUID();
                fast.add(id);
                calls.publish(0, ToolCalls.event(id, fastTenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + fastWidget + "\"}",
                        Instant.now().plusSeconds(60)));
            }
            calls.flush();

            for (String id : fast) {
                JsonNode result = KafkaEvents.parse(results.await(record -> id.equals(record.key()), SECONDS).value());
                assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            }
            assertEquals(List.of(), results.allMatching(record -> slow.equals(record.key()), Duration.ZERO),
                    "the 30 calls published after the slow one have their results while it still runs");
            OffsetAndMetadata committed = committedOffset(new TopicPartition(EventTopics.TOOL_CALLS, 0));
            assertTrue(OffsetLedger.decode(committed.metadata()).isPresent(),
                    "the commit names the calls still incomplete below the done ones: " + committed);

            JsonNode result = KafkaEvents.parse(results.await(record -> slow.equals(record.key()), SECONDS).value());
            assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            for (String id : fast) {
                assertEquals(1, results.allMatching(record -> id.equals(record.key()), Duration.ZERO).size(), "one result for " + id);
            }
            assertEquals(1, results.allMatching(record -> slow.equals(record.key()), Duration.ofSeconds(1)).size());
            ProviderStub.server().verify(1, getRequestedFor(urlEqualTo("/widgets/" + slowWidget)));
        }
    }

    @Test
    void aRetryAfterPausesOnlyTheInstallationThatWasToldToWait() {
        String waitingTenant = tenantWithKey("t-429-");
        String otherTenant = tenantWithKey("t-free-");
        String limitedWidget = "limited-" + UUID.randomUUID().toString().substring(0, 8);
        String scenario = "retry-after-" + limitedWidget;
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + limitedWidget)).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "6")).willSetStateTo("told"));
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + limitedWidget)).inScenario(scenario).whenScenarioStateIs("told")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"late\":true}")));
        String fastWidget = stubFast();
        String limited = "limited-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(0, ToolCalls.event(limited, waitingTenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + limitedWidget + "\"}",
                    Instant.now().plusSeconds(60)));
            calls.flush();
            awaitProviderRequest("/widgets/" + limitedWidget); // told to wait 6 s
            List<String> others = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = "free-" + i + "-" + UUID.randomUUID();
                others.add(id);
                calls.publish(0, ToolCalls.event(id, otherTenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + fastWidget + "\"}",
                        Instant.now().plusSeconds(60)));
            }
            calls.flush();
            for (String id : others) {
                JsonNode result = KafkaEvents.parse(results.await(record -> id.equals(record.key()), SECONDS).value());
                assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            }
            assertEquals(List.of(), results.allMatching(record -> limited.equals(record.key()), Duration.ZERO),
                    "the other installation's calls did not wait for the Retry-After");
            JsonNode result = KafkaEvents.parse(results.await(record -> limited.equals(record.key()), SECONDS).value());
            assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            assertEquals(2, result.path("data").path("attempts").asInt(), result.toString());
        }
    }

    @Test
    void aCallKeyedByAnythingButItsConnectionIsRefusedAndDeadLetteredWithoutRunning() {
        String tenant = "t-key-" + UUID.randomUUID().toString().substring(0, 8);
        String installation = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, installation, "{\"value\":\"acme_live_" + tenant.substring(6) + "\"}");
        String widget = "keyed-" + UUID.randomUUID().toString().substring(0, 8);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true}")));
        String misrouted = "misrouted-" + UUID.randomUUID();
        String byInstallation = "by-installation-" + UUID.randomUUID();
        String byName = "by-name-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); KafkaEvents dlq = KafkaEvents.watch(EventTopics.TOOL_CALLS_DLQ);
                ToolCalls calls = new ToolCalls()) {
            calls.publish("some-other-key", ToolCalls.event(misrouted, tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + widget + "\"}",
                    Instant.now().plusSeconds(30)));
            calls.publish(installation, ToolCalls.event(byInstallation, tenant, Suite.PLUGIN, "acme", "get_widget",
                    "{\"id\":\"" + widget + "\"}", Instant.now().plusSeconds(30)));
            calls.publish(ToolCalls.event(byName, tenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"" + widget + "\"}",
                    Instant.now().plusSeconds(30)));
            calls.flush();

            JsonNode refused = KafkaEvents.parse(results.await(record -> misrouted.equals(record.key()), SECONDS).value());
            assertEquals("INVALID_EVENT", refused.path("data").path("error").path("code").asText(), refused.toString());
            assertTrue(refused.path("data").path("error").path("message").asText().contains(installation), refused.toString());
            ConsumerRecord<String, String> dead = dlq.await(record -> record.value().contains(misrouted), SECONDS);
            assertEquals("key-not-connection", header(dead, "polymux-dlq-reason"));
            assertEquals("some-other-key", dead.key(), "the DLQ copy keeps the original key");
            for (String id : List.of(byInstallation, byName)) {
                JsonNode result = KafkaEvents.parse(results.await(record -> id.equals(record.key()), SECONDS).value());
                assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            }
            ProviderStub.server().verify(2, getRequestedFor(urlEqualTo("/widgets/" + widget)));
        }
    }

    private static String tenantWithKey(String prefix) {
        String tenant = prefix + UUID.randomUUID().toString().substring(0, 8);
        String installation = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, installation, "{\"value\":\"acme_live_" + tenant.substring(prefix.length()) + "\"}");
        return tenant;
    }

    private static String stubFast() {
        String widget = "fast-" + UUID.randomUUID().toString().substring(0, 8);
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/" + widget)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"fast\":true}")));
        return widget;
    }

    private static void awaitProviderRequest(String path) {
        org.awaitility.Awaitility.await().atMost(SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> !ProviderStub.server().findAll(getRequestedFor(urlEqualTo(path))).isEmpty());
    }

    private static OffsetAndMetadata committedOffset(TopicPartition partition) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("dispatch-service").partitionsToOffsetAndMetadata()
                    .get();
            return offsets.get(partition);
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
