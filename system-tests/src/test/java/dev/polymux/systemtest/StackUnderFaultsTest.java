package dev.polymux.systemtest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.CommittedResults;
import dev.polymux.dispatch.support.DispatchChild;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.TokenLifetimes;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBroker;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.postgres.PostgresServer;
import dev.polymux.testing.service.ChildServiceResource;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.restassured.RestAssured;

/**
 * The whole stack as it runs in production, as processes: the four packaged services, a Kafka broker and a PostgreSQL
 * of this test's own (so that it can restart them), mock-oauth2-server as the provider's authorization server and a
 * provider stub. First the user journey end to end; then a steady load of tool calls (one connection with a stored
 * key, one with 5-second OAuth tokens, so oauth-service refreshes all the time) while each fault is injected in turn.
 * <p>
 * Afterwards: every call id has exactly one committed result, the OAuth grant that was healthy is still healthy, no
 * outbox event is left unpublished, and every service reported ready again by itself (nothing restarted it but the
 * fault's own restart). The table of what was injected and what was counted is printed and written to
 * {@code target/system-test/faults.md}; the README keeps a copy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackUnderFaultsTest {

    private static final Path WORK = Path.of("target", "system-test").toAbsolutePath();
    /** Long enough to ride out every fault: a call's result then says whether it ran, not that it timed out. */
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(120);
    private static final Duration FAULT_LASTS = Duration.ofSeconds(3);
    private static final Duration LOAD_AROUND_A_FAULT = Duration.ofSeconds(4);

    private static final List<Runnable> STOPS = new ArrayList<>();
    private static BrokerProcess broker;
    private static Path postgresData;
    private static int postgresPort;
    private static PostgresServer postgres;
    private static final ChildServiceResource REGISTRY = new RegistryServiceChild();
    private static final ChildServiceResource VAULT = new VaultServiceChild();
    private static final ChildServiceResource OAUTH = new OAuthChild();
    private static final DispatchChild DISPATCH = new DispatchChild("system-test-dispatch");
    private static final List<ChildServiceResource> SERVICES = List.of(REGISTRY, VAULT, OAUTH, DISPATCH);

    private static String keyTenant;
    private static String oauthTenant;
    private static String oauthInstallation;

    @BeforeAll
    static void stack() throws IOException {
        deleteRecursively(WORK);
        broker = new BrokerProcess(WORK.resolve("kafka"));
        broker.start();
        STOPS.addFirst(broker::stop);
        System.setProperty(KafkaBroker.EXTERNAL_BOOTSTRAP, broker.bootstrapServers());
        List.of(EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, EventTopics.TOOL_CALLS_DLQ, EventTopics.CONNECTION_EVENTS,
                EventTopics.REGISTRY_EVENTS, EventTopics.AUDIT_EVENTS).forEach(topic -> KafkaBroker.ensureTopic(topic, 3));

        postgresData = WORK.resolve("postgres");
        postgres = PostgresServer.embedded(postgresData, 0);
        postgresPort = postgres.port();
        PostgresResource.use(postgres);
        STOPS.addFirst(() -> postgres.close());

        RestAssured.baseURI = "http://localhost";
        var authorizationServer = new AuthorizationServer();
        var provider = new ProviderStub();
        authorizationServer.start();
        STOPS.addFirst(authorizationServer::stop);
        provider.start();
        STOPS.addFirst(provider::stop);
        for (ChildServiceResource service : SERVICES) {
            service.start();
            STOPS.addFirst(service::stop);
        }
        ProviderStub.server().stubFor(get(urlPathMatching("/widgets/.*"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"widget\":\"w\"}")));
        ProviderStub.server().stubFor(get(urlPathMatching("/lifetimes/.*"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"user\":\"installer\"}")));
    }

    @AfterAll
    static void stop() {
        for (Runnable stop : STOPS) { // each on its own: one that fails must not leave the other processes running
            try {
                stop.run();
            } catch (RuntimeException e) {
                System.err.println("Stopping a part of the stack failed: " + e);
            }
        }
    }

    /** Publish and review, install, a stored key and an OAuth consent, then one tool call of each, with its result. */
    @Test
    @Order(1)
    void theUserJourneyEndToEnd() {
        Suite.published();
        TokenLifetimes.published();
        keyTenant = "system-keys-" + UUID.randomUUID().toString().substring(0, 8);
        String keyInstallation = Platform.install(keyTenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(keyTenant, keyInstallation, "{\"value\":\"acme_live_system_test\"}");
        Platform.awaitStatus(keyTenant, keyInstallation, "active");
        oauthTenant = "system-oauth-" + UUID.randomUUID().toString().substring(0, 8);
        oauthInstallation = Platform.install(oauthTenant, TokenLifetimes.PLUGIN).get(TokenLifetimes.FIVE_SECONDS);
        Platform.connectWithConsent(oauthTenant, oauthInstallation);

        try (CommittedResults results = new CommittedResults("journey-"); ToolCalls calls = new ToolCalls()) {
            calls.publish(keyCall("journey-key"));
            calls.publish(oauthCall("journey-oauth"));
            calls.flush();
            assertTrue(results.awaitUntil(() -> results.calls() == 2, Duration.ofSeconds(60)), "both calls have a result: " + results.snapshot());
            assertEquals("succeeded", results.of("journey-key").orElseThrow().status());
            assertEquals("succeeded", results.of("journey-oauth").orElseThrow().status());
        }
    }

    @Test
    @Order(2)
    void underEveryFaultEachCallHasExactlyOneResultAndNothingIsLost() throws Exception {
        List<Fault> faults = List.of(
                new Fault("none (steady load only)", () -> { }),
                new Fault("vault-service killed (SIGKILL), restarted 3 s later", () -> restart(VAULT)),
                new Fault("oauth-service killed (SIGKILL) while refreshing 5-second tokens, restarted 3 s later", () -> restart(OAUTH)),
                new Fault("dispatcher killed (SIGKILL), restarted 3 s later", () -> restart(DISPATCH)),
                new Fault("Kafka broker stopped (SIGTERM), restarted 3 s later", () -> {
                    broker.stop();
                    BrokerProcess.pause(FAULT_LASTS);
                    broker.start();
                }),
                new Fault("PostgreSQL stopped (fast shutdown), restarted 3 s later", () -> {
                    postgres.close();
                    BrokerProcess.pause(FAULT_LASTS);
                    postgres = PostgresServer.embedded(postgresData, postgresPort);
                    PostgresResource.use(postgres);
                }));

        Map<String, Counted> table = new LinkedHashMap<>();
        try (CommittedResults results = new CommittedResults("load-"); Load load = new Load()) {
            for (Fault fault : faults) {
                load.phase = "load-" + table.size() + "-";
                BrokerProcess.pause(LOAD_AROUND_A_FAULT);
                Instant injected = Instant.now();
                Duration readyAgain;
                Set<String> seenNotReady;
                try (ReadinessWatch watch = new ReadinessWatch()) {
                    fault.inject().run();
                    readyAgain = awaitEveryServiceReady(injected);
                    seenNotReady = watch.seenNotReady();
                }
                BrokerProcess.pause(LOAD_AROUND_A_FAULT);
                table.put(fault.what(), new Counted("load-" + table.size() + "-", readyAgain, seenNotReady));
            }
            load.close();
            assertEquals(List.of(), load.errors, "the load went on through every fault");
            int published = load.published.size();
            results.awaitUntil(() -> results.calls() >= published, Duration.ofSeconds(180));
            results.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(30)); // a second result would come now, if any

            Map<String, CommittedResults.Seen> seen = results.snapshot();
            String report = report(table, load.published, seen);
            System.out.println(report);
            Files.writeString(WORK.resolve("faults.md"), report);

            List<String> missing = load.published.keySet().stream().filter(id -> !seen.containsKey(id)).sorted().toList();
            List<String> twice = seen.entrySet().stream().filter(call -> call.getValue().count() > 1).map(Map.Entry::getKey).sorted().toList();
            assertEquals(List.of(), missing, "every call has a result\n" + report);
            assertEquals(List.of(), twice, "no call has two results\n" + report);
            // A restart shorter than the calls' deadline delays the calls that need it; it fails none of them.
            for (String restarted : table.keySet()) {
                String prefix = table.get(restarted).prefix();
                assertTrue(load.published.keySet().stream().anyMatch(id -> id.startsWith(prefix)), "calls were made during: " + restarted);
                List<String> failed = load.published.keySet().stream().filter(id -> id.startsWith(prefix) && !"succeeded".equals(seen.get(id).status()))
                        .sorted().toList();
                assertEquals(List.of(), failed, "no call failed: " + restarted + (failed.isEmpty() ? "" : " (" + seen.get(failed.getFirst()).errorCode()
                        + ": " + seen.get(failed.getFirst()).errorMessage() + ")") + "\n" + report);
            }
        }
        // The OAuth grant was refreshed through every fault: it is still healthy, and still serves a call.
        Platform.awaitStatus(oauthTenant, oauthInstallation, "active");
        try (CommittedResults after = new CommittedResults("after-"); ToolCalls calls = new ToolCalls()) {
            calls.publish(oauthCall("after-oauth"));
            calls.flush();
            assertTrue(after.awaitUntil(() -> after.calls() == 1, Duration.ofSeconds(60)), "the call after the faults has a result");
            assertEquals("succeeded", after.of("after-oauth").orElseThrow().status(), "the grant still works after the faults");
        }
        assertEquals(Map.of(), awaitOutboxesDrained(Duration.ofSeconds(60)), "every outbox event was published (database: unpublished)");
    }

    private record Fault(String what, Runnable inject) {
    }

    /**
     * A phase's calls (by call id prefix), how long after the fault every service was ready again, and which services
     * were seen not ready meanwhile (none: the fault never showed in their readiness).
     */
    private record Counted(String prefix, Duration readyAgain, Set<String> seenNotReady) {
    }

    /** Polls every service's readiness every 200 ms while a fault lasts, and notes who was not ready. */
    private static final class ReadinessWatch implements AutoCloseable {
        private final Set<String> notReady = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = Thread.ofPlatform().name("system-test-readiness").start(() -> {
            while (running.get()) {
                SERVICES.stream().filter(service -> !ready(service)).forEach(service -> notReady.add(name(service)));
                BrokerProcess.pause(Duration.ofMillis(200));
            }
        });

        Set<String> seenNotReady() {
            return new java.util.TreeSet<>(notReady);
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String name(ChildServiceResource service) {
        return service == DISPATCH ? "dispatch" : service == REGISTRY ? "registry" : service == VAULT ? "vault" : "oauth";
    }

    /** A kill as a node failure: SIGKILL, and the restart a Deployment would make, on the same address. */
    private static void restart(ChildServiceResource service) {
        service.kill();
        BrokerProcess.pause(FAULT_LASTS);
        service.start();
    }

    /** One call with the stored key and one with the OAuth connection every 100 ms, each with a fresh call id. */
    private static final class Load implements AutoCloseable {
        final Map<String, Instant> published = new ConcurrentHashMap<>();
        /** What stopped the load thread, if anything did: the phases after it would count no calls. */
        final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile String phase = "load-0-";
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ToolCalls calls = new ToolCalls();
        private final Thread thread = Thread.ofPlatform().name("system-test-load").start(this::run);

        private void run() {
            try {
                publishUntilClosed();
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
        }

        private void publishUntilClosed() {
            int n = 0;
            while (running.get()) {
                String prefix = phase;
                String keyId = prefix + "key-" + n;
                String oauthId = prefix + "oauth-" + n;
                calls.publish(keyCall(keyId));
                calls.publish(oauthCall(oauthId));
                published.put(keyId, Instant.now());
                published.put(oauthId, Instant.now());
                n++;
                BrokerProcess.pause(Duration.ofMillis(100));
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (running.getAndSet(false)) {
                thread.join();
                calls.flush();
                calls.close();
            }
        }
    }

    private static String keyCall(String callId) {
        return ToolCalls.event(callId, keyTenant, Suite.PLUGIN, "acme", "get_widget", "{\"id\":\"w-1\"}", Instant.now().plus(CALL_DEADLINE));
    }

    private static String oauthCall(String callId) {
        return ToolCalls.event(callId, oauthTenant, TokenLifetimes.PLUGIN, TokenLifetimes.FIVE_SECONDS, "whoami", "{\"path\":\"me\"}",
                Instant.now().plus(CALL_DEADLINE));
    }

    /** Polls every service's readiness until all say ready: how long that took after the fault was injected. */
    private static Duration awaitEveryServiceReady(Instant injected) {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            if (SERVICES.stream().allMatch(StackUnderFaultsTest::ready)) {
                return Duration.between(injected, Instant.now());
            }
            BrokerProcess.pause(Duration.ofMillis(250));
        }
        throw new AssertionError("not every service reported ready again within 120 s of the fault");
    }

    private static boolean ready(ChildServiceResource service) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://localhost:" + service.managementPort() + "/q/health/ready")
                    .toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            return connection.getResponseCode() == 200;
        } catch (IOException notReady) {
            return false;
        }
    }

    /** The unpublished outbox events of every service database left after {@code atMost} (none, if all is well). */
    private static Map<String, Long> awaitOutboxesDrained(Duration atMost) throws SQLException {
        Instant deadline = Instant.now().plus(atMost);
        Map<String, Long> unpublished;
        do {
            unpublished = new LinkedHashMap<>();
            for (String database : serviceDatabases()) {
                try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery("select count(*) from outbox_event where published_at is null")) {
                    rows.next();
                    if (rows.getLong(1) > 0) {
                        unpublished.put(database, rows.getLong(1));
                    }
                }
            }
            if (unpublished.isEmpty()) {
                return unpublished;
            }
            BrokerProcess.pause(Duration.ofMillis(500));
        } while (Instant.now().isBefore(deadline));
        return unpublished;
    }

    private static List<String> serviceDatabases() throws SQLException {
        List<String> databases = new ArrayList<>();
        try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select datname from pg_database where datname like 'polymux_child_%'")) {
            while (rows.next()) {
                databases.add(rows.getString(1));
            }
        }
        assertEquals(3, databases.size(), "registry, vault and oauth have a database each (dispatch has none): " + databases);
        return databases;
    }

    private static String report(Map<String, Counted> table, Map<String, Instant> published, Map<String, CommittedResults.Seen> seen) {
        StringBuilder out = new StringBuilder("| fault injected under load | calls | results | succeeded | failed | two results | no result |"
                + " seen not ready | every service ready again after |\n|---|---|---|---|---|---|---|---|---|\n");
        table.forEach((what, counted) -> {
            List<String> ids = published.keySet().stream().filter(id -> id.startsWith(counted.prefix())).toList();
            long results = ids.stream().filter(seen::containsKey).count();
            long succeeded = ids.stream().filter(id -> seen.containsKey(id) && "succeeded".equals(seen.get(id).status())).count();
            long twice = ids.stream().filter(id -> seen.containsKey(id) && seen.get(id).count() > 1).count();
            // Which errors the failed calls ended with: what a workflow engine saw.
            Map<String, Long> codes = ids.stream().filter(id -> seen.containsKey(id) && !"succeeded".equals(seen.get(id).status()))
                    .collect(java.util.stream.Collectors.groupingBy(id -> seen.get(id).errorCode(), java.util.TreeMap::new,
                            java.util.stream.Collectors.counting()));
            String failed = (results - succeeded) + (codes.isEmpty() ? "" : " (" + codes.entrySet().stream()
                    .map(code -> code.getKey() + " " + code.getValue()).collect(java.util.stream.Collectors.joining(", ")) + ")");
            out.append("| ").append(what).append(" | ").append(ids.size()).append(" | ").append(results).append(" | ").append(succeeded)
                    .append(" | ").append(failed).append(" | ").append(twice).append(" | ").append(ids.size() - results)
                    .append(" | ").append(counted.seenNotReady().isEmpty() ? "none" : String.join(", ", counted.seenNotReady()))
                    .append(" | ").append(String.format("%.1f s", counted.readyAgain().toMillis() / 1000.0)).append(" |\n");
        });
        return out.toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
