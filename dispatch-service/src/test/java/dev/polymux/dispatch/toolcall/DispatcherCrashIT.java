package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.DispatchChild;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBroker;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.restassured.RestAssured;

/**
 * The crash test: 2,000 calls published, the dispatcher (the packaged service, a child process) killed with SIGKILL
 * midway and restarted; every call id then has exactly one result on polymux.tool-results.v1 for a read_committed
 * reader. Runs after packaging (failsafe), against the real registry and vault-service as child processes.
 */
class DispatcherCrashIT {

    private static final int CALLS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Runnable> STOPS = new ArrayList<>();

    @BeforeAll
    static void platform() {
        KafkaBroker.bootstrapServers();
        List.of(EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, EventTopics.TOOL_CALLS_DLQ, EventTopics.CONNECTION_EVENTS,
                EventTopics.REGISTRY_EVENTS, EventTopics.AUDIT_EVENTS).forEach(topic -> KafkaBroker.ensureTopic(topic, 3));
        RestAssured.baseURI = "http://localhost";
        for (var resource : List.of(new AuthorizationServer(), new ProviderStub(), new RegistryServiceChild(), new VaultServiceChild(), new OAuthChild())) {
            resource.start();
            STOPS.addFirst(resource::stop);
        }
        Suite.published();
    }

    @AfterAll
    static void stop() {
        STOPS.forEach(Runnable::run);
    }

    @Test
    void everyCallHasExactlyOneResultAfterTheDispatcherIsKilledMidwayAndRestarted() throws Exception {
        Scenario run = new Scenario("crash-", CALLS);
        DispatchChild dispatcher = new DispatchChild("dispatch-crash-test");
        dispatcher.start();
        try (run) {
            run.publish();
            // Kill while a batch is in flight: some results committed, and provider calls made whose results are not.
            run.readWhile(() -> run.results() < CALLS / 5 || run.providerCalls() <= run.results() + 50, Duration.ofSeconds(60));
            int beforeKill = run.results();
            dispatcher.kill();
            assertTrue(beforeKill > 0 && beforeKill < CALLS, "killed midway: " + beforeKill + " of " + CALLS + " results were committed");

            dispatcher.start(); // the same transactional id: the restarted replica fences its former self
            run.readAll();

            run.assertExactlyOneSucceededResultEach();
            int providerCalls = run.providerCalls();
            assertTrue(providerCalls > CALLS, "calls in flight at the kill ran again");
            System.out.printf("Crash test: %d results committed before the kill; the provider saw %d requests for %d calls "
                    + "(calls in flight at the kill ran again; their first results were never committed)%n", beforeKill, providerCalls, CALLS);
        } finally {
            dispatcher.stop();
        }
    }

    @Test
    void aStoppedDispatcherFinishesAndCommitsItsBatchBeforeItExits() throws Exception {
        int calls = 1000;
        Scenario run = new Scenario("drain-", calls);
        DispatchChild dispatcher = new DispatchChild("dispatch-drain-test");
        dispatcher.start();
        try (run) {
            run.publish();
            run.readWhile(() -> run.results() < calls / 10 || run.providerCalls() <= run.results() + 50, Duration.ofSeconds(60));
            int inFlightAtStop = run.providerCalls() - run.results();
            dispatcher.stop(); // SIGTERM: stop polling, finish the batch in flight, commit, exit
            int providerCallsBeforeRestart = run.providerCalls();

            dispatcher.start();
            run.readAll();

            assertTrue(inFlightAtStop > 0, "stopped while calls were in flight");
            run.assertExactlyOneSucceededResultEach();
            assertEquals(calls, run.providerCalls(), "no call ran twice: the batch in flight at SIGTERM was finished and committed ("
                    + providerCallsBeforeRestart + " provider calls before the restart)");
        } finally {
            dispatcher.stop();
        }
    }

    /**
     * One tenant's calls, each named {@code prefix + n}, against a provider slow enough (100 ms) that batches are in
     * flight when the dispatcher goes; results read as a read_committed engine reads them.
     */
    private static final class Scenario implements AutoCloseable {

        private final String prefix;
        private final int calls;
        private final String tenant;
        private final KafkaConsumer<String, String> consumer = committedResults();
        private final Map<String, Integer> seen = new HashMap<>();
        private final List<JsonNode> all = new ArrayList<>();

        Scenario(String prefix, int calls) {
            this.prefix = prefix;
            this.calls = calls;
            this.tenant = prefix + UUID.randomUUID().toString().substring(0, 8);
            String installation = Platform.install(tenant, Suite.PLUGIN).get("acme");
            Platform.storeCredentials(tenant, installation, "{\"value\":\"acme_live_" + prefix.replace("-", "") + "\"}");
            ProviderStub.server().stubFor(get(urlPathMatching("/widgets/" + prefix + ".*")).willReturn(aResponse().withStatus(200)
                    .withFixedDelay(100).withHeader("Content-Type", "application/json").withBody("{\"ok\":true}")));
        }

        void publish() {
            try (ToolCalls publisher = new ToolCalls()) {
                for (int i = 0; i < calls; i++) {
                    String callId = prefix + i + "-" + UUID.randomUUID();
                    publisher.publish(callId, ToolCalls.event(callId, tenant, Suite.PLUGIN, "acme", "get_widget",
                            "{\"id\":\"" + prefix + i + "\"}", Instant.now().plusSeconds(120)));
                }
                publisher.flush();
            }
        }

        int results() {
            return seen.size();
        }

        int providerCalls() {
            return ProviderStub.server().findAll(getRequestedFor(urlPathMatching("/widgets/" + prefix + ".*"))).size();
        }

        void readWhile(java.util.function.BooleanSupplier condition, Duration atMost) throws Exception {
            Instant until = Instant.now().plus(atMost);
            while (condition.getAsBoolean() && Instant.now().isBefore(until)) {
                read();
            }
        }

        /** Until every call has a result, then 5 s more: duplicates, if any, would arrive then. */
        void readAll() throws Exception {
            readWhile(() -> seen.size() < calls, Duration.ofSeconds(180));
            readWhile(() -> true, Duration.ofSeconds(5));
        }

        void assertExactlyOneSucceededResultEach() {
            assertEquals(calls, seen.size(), "every call has a result");
            assertEquals(List.of(), seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList(),
                    "exactly one result per call id");
            assertEquals(calls, all.stream().filter(r -> "succeeded".equals(r.path("data").path("status").asText())).count(),
                    "every call succeeded");
        }

        private void read() throws Exception {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                JsonNode result = JSON.readTree(record.value());
                String callId = result.path("data").path("callId").asText();
                if (callId.startsWith(prefix)) {
                    seen.merge(callId, 1, Integer::sum);
                    all.add(result);
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static KafkaConsumer<String, String> committedResults() {
        Map<String, Object> config = new HashMap<>(KafkaBroker.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(EventTopics.TOOL_RESULTS));
        return consumer;
    }
}
