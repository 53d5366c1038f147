package dev.polymux.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;

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
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;

/**
 * The dispatcher (packaged, as a process, with the real registry, vault-service and oauth-service) against a stub
 * provider on loopback, side by side in the same run with {@link BareLoop} against the same stub, scenario by
 * scenario; then the internal gRPC calls it makes, warm. Prints one table and the targets (met or not), never asserts.
 * Run with {@code bench/run}; bench/README.md says what each scenario measures.
 */
public final class DispatchBench {

    private static final String API_KEY = "acme_live_bench";
    /** Share of the mix's calls that go to the slow provider path: every 20th. */
    private static final int SLOW_EVERY = 20;
    /** What mock-oauth2-server needs for a client-credentials token (any client is accepted); the bare loop's token. */
    private static final String BARE_CLIENT = "grant_type=client_credentials&client_id=bench-bare-loop&client_secret=bench&scope=read";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STARTED = System.nanoTime();
    /** Setup steps that wait on services run side by side (the common pool has one thread on two cores). */
    private static final java.util.concurrent.ExecutorService SETUP = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private final int burst = Integer.getInteger("bench.burst", 3000);
    private final int rate = Integer.getInteger("bench.rate", 200);
    private final int seconds = Integer.getInteger("bench.seconds", 10);
    private final int slowMillis = Integer.getInteger("bench.slow-ms", 2000);
    private final int grpcCalls = Integer.getInteger("bench.grpc-calls", 2000);
    /** Partitions of the tool-calls topic: even, so that two replicas take half each. */
    private final int partitions = Integer.getInteger("bench.partitions", 4);
    private final String dispatchGroup = System.getProperty("bench.dispatch-group", "dispatch-service");
    private final String dispatcherVersion = System.getProperty("bench.dispatcher-version", "unknown (run bench/run)");

    private final List<QuarkusTestResourceLifecycleManager> started = new CopyOnWriteArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<InternalCalls.Figures> internal = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** A line of the table: a run's figures, or one group of them. */
    private record Row(String scenario, Load.Figures figures) {
    }

    private DispatchBench() {
    }

    public static void main(String[] args) throws Exception {
        DispatchBench bench = new DispatchBench();
        // Interrupted (Ctrl-C, SIGTERM): stop the child services too, rather than leaving them running.
        Thread stopChildren = new Thread(bench::stopAll, "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopChildren);
        try {
            bench.run();
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopChildren);
            bench.stopAll();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        progress("starting the Kafka broker, PostgreSQL and the services (registry, vault, oauth, one dispatcher)");
        KafkaBroker.bootstrapServers();
        KafkaBroker.ensureTopic(EventTopics.TOOL_CALLS, partitions);
        List.of(EventTopics.TOOL_RESULTS, EventTopics.TOOL_CALLS_DLQ, EventTopics.CONNECTION_EVENTS, EventTopics.REGISTRY_EVENTS,
                EventTopics.AUDIT_EVENTS).forEach(topic -> KafkaBroker.ensureTopic(topic, 3));
        RestAssured.baseURI = "http://localhost";
        start(new AuthorizationServer());
        start(new ProviderStub());
        // registry and vault need nothing of each other; oauth needs vault's port; the dispatcher needs all three.
        CompletableFuture<Void> registry = CompletableFuture.runAsync(() -> start(new RegistryServiceChild()), SETUP);
        start(new VaultServiceChild());
        start(new OAuthChild());
        registry.join();
        DispatchChild dispatcher = new DispatchChild("dispatch-bench-1");
        start(dispatcher);

        progress("installing the plugin and connecting its connections");
        Suite.published();
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> installations = Platform.install(tenant, Suite.PLUGIN);
        String vaultInstallation = installations.get("acme");
        String oauthInstallation = installations.get("acme_oauth");
        Platform.storeCredentials(tenant, vaultInstallation, "{\"value\":\"" + API_KEY + "\"}");
        Platform.connect(tenant, oauthInstallation);
        List<Connection> spread = installationsOnEveryPartition();
        stubTheProvider();
        String bareToken = clientCredentialsToken();

        IntFunction<Load.Call> fast = i -> widget(tenant, vaultInstallation, "w-1", "all");
        IntFunction<Load.Call> mix = i -> i % SLOW_EVERY == SLOW_EVERY / 2 ? widget(tenant, vaultInstallation, "slow-1", "slow calls")
                : widget(tenant, vaultInstallation, "w-1", "fast calls");
        IntFunction<Load.Call> oauth = i -> new Load.Call(oauthInstallation, "all", id -> ToolCalls.event(id, tenant, Suite.PLUGIN, "acme_oauth",
                "whoami", "{\"path\":\"me\"}", Instant.now().plusSeconds(120)));
        IntFunction<Load.Call> spreadCalls = i -> spread.get(i % spread.size()).call("w-1");
        String steady = rate + "/s for " + seconds + " s";
        double slowInFlight = (double) rate / SLOW_EVERY * slowMillis / 1000;
        if (slowInFlight > 24) {
            notes.add("The mix keeps " + Math.round(slowInFlight) + " slow calls in flight: more than the provider stub's 32 threads"
                    + " serve beside the fast calls (WireMock sleeps in a request thread); lower -Dbench.rate for a clean mix.");
        }

        try (BareLoop bare = new BareLoop(data -> providerRequest(data, bareToken), 64, partitions)) {
            progress("warming up (JIT, connection pools, the dispatcher's caches)");
            Load.run("dispatcher", "warm-up", EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, 1000, 0, fast);
            Load.run("dispatcher", "warm-up", EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, 300, 0, oauth);
            Load.run("dispatcher", "warm-up", EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, 400, 0, spreadCalls);
            Load.run("bare loop", "warm-up", BareLoop.CALLS, BareLoop.RESULTS, 1000, 0, fast);
            Load.run("bare loop", "warm-up", BareLoop.CALLS, BareLoop.RESULTS, 300, 0, oauth);

            String burstName = "1 burst: " + burst + " calls at once, 1 installation";
            progress(burstName);
            both(burstName, burst, 0, fast, "all");
            String steadyName = "2 steady: " + steady + ", 1 installation";
            progress(steadyName);
            both(steadyName, rate * seconds, rate, fast, "all");
            String mixName = "3 mix: " + steady + ", 1 in " + SLOW_EVERY + " answered after " + slowMillis + " ms";
            progress(mixName);
            both(mixName, rate * seconds, rate, mix, "fast calls", "slow calls");
            String oauthName = "4 OAuth: " + steady + ", client-credentials connector";
            progress(oauthName);
            both(oauthName, rate * seconds, rate, oauth, "all");

            progress("internal gRPC calls, warm: GetAccessToken, ResolveInstallation (" + grpcCalls + " each)");
            internal.add(InternalCalls.getAccessToken(tenant, oauthInstallation, 500, grpcCalls));
            internal.add(InternalCalls.resolveInstallation(tenant, Suite.PLUGIN, "acme", 500, grpcCalls));
            internal.add(InternalCalls.getAccessTokenRefused(500, grpcCalls));
            internal.add(InternalCalls.resolveInstallationRefused(500, grpcCalls));

            String replicasName = "5 replicas: " + burst + " calls at once over " + spread.size() + " installations, one per partition";
            progress(replicasName + ", one replica");
            ProviderStub.server().resetRequests();
            rows.add(new Row(replicasName, Load.run("dispatcher, 1 replica", replicasName, EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS,
                    burst, 0, spreadCalls).all()));
            rows.add(new Row(replicasName, Load.run("bare loop", replicasName, BareLoop.CALLS, BareLoop.RESULTS, burst, 0, spreadCalls).all()));
            progress("starting a second dispatcher replica (another transactional id) and waiting for it to take partitions");
            DispatchChild second = new DispatchChild("dispatch-bench-2");
            start(second);
            awaitReplicasSharingTheTopic(2);
            Load.run("dispatchers", "warm-up", EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, 1000, 0, spreadCalls);
            progress(replicasName + ", two replicas");
            ProviderStub.server().resetRequests();
            Load.Run twoReplicas = Load.run("dispatcher, 2 replicas", replicasName, EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, burst, 0,
                    spreadCalls);
            rows.add(new Row(replicasName, twoReplicas.all()));
            notes.add("Scenario 5 with two replicas, results by the CloudEvents source that published them: " + twoReplicas.resultsBySource() + ".");
            String commits = commitFigures(dispatcher.managementPort());
            print(residentMemoryMb(dispatcher.pid()), residentMemoryMb(second.pid()), commits);
        }
    }

    /** The dispatcher and the bare loop, one after the other, on the same calls against the same stub. */
    private void both(String scenario, int calls, int perSecond, IntFunction<Load.Call> callAt, String... groups) throws Exception {
        ProviderStub.server().resetRequests(); // the stub records every request: keep its journal small
        Load.Run dispatcher = Load.run("dispatcher", scenario, EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, calls, perSecond, callAt);
        ProviderStub.server().resetRequests();
        Load.Run bare = Load.run("bare loop", scenario, BareLoop.CALLS, BareLoop.RESULTS, calls, perSecond, callAt);
        for (Load.Run run : List.of(dispatcher, bare)) {
            if (groups.length == 1) {
                rows.add(new Row(scenario, run.all()));
            } else {
                for (String group : groups) {
                    rows.add(new Row(scenario + " — " + group, run.group(group)));
                }
            }
        }
    }

    private static Load.Call widget(String tenant, String installationId, String widget, String group) {
        return new Load.Call(installationId, group, id -> ToolCalls.event(id, tenant, Suite.PLUGIN, "acme", "get_widget",
                "{\"id\":\"" + widget + "\"}", Instant.now().plusSeconds(120)));
    }

    /** A tenant's vault connection (credentials stored, active), its calls keyed by its installation id. */
    private record Connection(String tenant, String installationId) {
        Load.Call call(String widget) {
            return widget(tenant, installationId, widget, "all");
        }
    }

    /**
     * Installations whose ids (the calls' keys) land one on each partition of the tool-calls topic, so that a burst
     * over them is spread evenly and two replicas get the same share. Tenants install in parallel until every
     * partition has one.
     */
    private List<Connection> installationsOnEveryPartition() {
        Map<Integer, Connection> byPartition = new TreeMap<>();
        for (int round = 0; byPartition.size() < partitions && round < 10; round++) {
            List<CompletableFuture<Connection>> installing = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                installing.add(CompletableFuture.supplyAsync(() -> {
                    String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
                    String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
                    Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
                    return new Connection(tenant, id);
                }, SETUP));
            }
            installing.stream().map(CompletableFuture::join)
                    .forEach(connection -> byPartition.putIfAbsent(partitionOf(connection.installationId()), connection));
        }
        return List.copyOf(byPartition.values());
    }

    /** The partition Kafka's default partitioner picks for a key. */
    private int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void stubTheProvider() {
        var stub = ProviderStub.server();
        stub.stubFor(get(urlPathMatching("/widgets/.*")).atPriority(5).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"w\",\"name\":\"Sprocket\"}")));
        stub.stubFor(get(urlPathMatching("/widgets/slow-.*")).atPriority(1).willReturn(aResponse().withStatus(200).withFixedDelay(slowMillis)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"slow\",\"name\":\"Slow sprocket\"}")));
        // The OAuth tool's path accepts exactly the tokens the authorization server issued and that are still valid.
        stub.stubFor(get(urlPathMatching("/oauth/.*")).atPriority(1).andMatching(issuedBearer()).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"user\":\"machine\"}")));
        stub.stubFor(get(urlPathMatching("/oauth/.*")).atPriority(5).willReturn(aResponse().withStatus(401)));
    }

    private static ValueMatcher<Request> issuedBearer() {
        return request -> {
            String authorization = request.getHeader("Authorization");
            return MatchResult.of(authorization != null && authorization.startsWith("Bearer ")
                    && AuthorizationServer.issued(authorization.substring("Bearer ".length())));
        };
    }

    /** The bare loop's provider request for a call: what the two connectors' manifests say, by hand. */
    private static HttpRequest providerRequest(JsonNode data, String bearerToken) {
        JsonNode arguments = data.path("arguments");
        return switch (data.path("tool").asText()) {
            case "get_widget" -> HttpRequest.newBuilder(URI.create(ProviderStub.url("/widgets/" + arguments.path("id").asText())))
                    .header("X-Api-Key", API_KEY).GET().build();
            case "whoami" -> HttpRequest.newBuilder(URI.create(ProviderStub.url("/oauth/" + arguments.path("path").asText())))
                    .header("Authorization", "Bearer " + bearerToken).GET().build();
            default -> throw new IllegalArgumentException("The bare loop knows no tool " + data.path("tool").asText());
        };
    }

    /** One client-credentials token from the authorization server, held by the bare loop for the whole run. */
    private static String clientCredentialsToken() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(AuthorizationServer.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(BARE_CLIENT)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("The authorization server gave the bare loop no token: HTTP " + answer.statusCode());
        }
        return JSON.readTree(answer.body()).path("access_token").asText();
    }

    /** Until the dispatcher group has this many members and every partition of the tool-calls topic is assigned. */
    private void awaitReplicasSharingTheTopic(int replicas) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String seen = "nothing";
        try (Admin admin = Admin.create(KafkaBroker.clientConfig())) {
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(dispatchGroup)).all().get().get(dispatchGroup);
                Set<TopicPartition> assigned = new HashSet<>();
                int members = 0;
                for (MemberDescription member : group.members()) {
                    Set<TopicPartition> own = new HashSet<>(member.assignment().topicPartitions());
                    own.removeIf(tp -> !tp.topic().equals(EventTopics.TOOL_CALLS));
                    members += own.isEmpty() ? 0 : 1;
                    assigned.addAll(own);
                }
                seen = members + " member(s) holding " + assigned.size() + " of " + partitions + " partitions";
                if (members >= replicas && assigned.size() == partitions) {
                    return;
                }
                Thread.sleep(250);
            }
        }
        notes.add("The second replica did not take partitions within 60 s (group " + dispatchGroup + ": " + seen
                + "); the two-replica row measured what the group had.");
    }

    private void print(double rssMb, double secondRssMb, String commits) {
        System.out.println();
        System.out.printf("Dispatch benchmark — %s — %d cores, JDK %s — dispatcher %s%n", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), dispatcherVersion);
        System.out.println("Each scenario runs the dispatcher, then the bare loop (plain consumer → HTTP → producer), on the same calls against the"
                + " same provider stub. Latency: publish to Kafka → result read by a read_committed reader. Printed, never asserted.");
        System.out.println();
        System.out.println("| scenario | pipeline | calls | calls/s | p50 ms | p95 ms | p99 ms | max ms | failed | dispatcher p50 ms: in / run / out |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Row row : rows) {
            Load.Figures f = row.figures();
            System.out.printf("| %s | %s | %d | %s | %.1f | %.1f | %.1f | %.1f | %s | %s |%n", row.scenario(), f.pipeline(), f.calls(),
                    Double.isNaN(f.callsPerSecond()) ? "–" : String.format("%.0f", f.callsPerSecond()), f.p50(), f.p95(), f.p99(), f.max(),
                    f.failed() == 0 ? "0" : f.failed() + " (" + f.firstFailure() + ")",
                    f.hasTimings() ? String.format("%.0f / %.0f / %.0f", f.toDispatcherP50(), f.insideP50(), f.toReaderP50()) : "–");
        }
        System.out.println();
        System.out.println("| internal call, warm, one at a time | calls | p50 ms | p99 ms | max ms | failed |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (InternalCalls.Figures f : internal) {
            System.out.printf("| %s | %d | %.2f | %.2f | %.1f | %s |%n", f.call(), f.calls(), f.p50(), f.p99(), f.max(),
                    f.failed() == 0 ? "0" : f.failed() + " (" + f.firstFailure() + ")");
        }
        System.out.println();
        printTargets(rssMb, secondRssMb);
        System.out.println();
        System.out.printf("Dispatcher resident memory after the runs: replica 1 %.0f MB, replica 2 %.0f MB (child JVMs run with -Xmx256m).%n",
                rssMb, secondRssMb);
        System.out.println(commits);
        System.out.println("Last column (dispatcher rows, from each result's timings): in = publish → the dispatcher received the call;"
                + " run = received → result built (its durationMs); out = result built → read here (waiting for and committing the transaction).");
        notes.forEach(note -> System.out.println("Note: " + note));
        System.out.printf("The whole run took %.0f s.%n", (System.nanoTime() - STARTED) / 1e9);
    }

    private void printTargets(double rssMb, double secondRssMb) {
        System.out.println("| target | measured | met? |");
        System.out.println("|---|---|---|");
        Load.Figures burstD = find("1 burst", "dispatcher");
        Load.Figures burstB = find("1 burst", "bare loop");
        target("burst: dispatcher calls/s ≥ 0.9 × bare loop's", String.format("%.0f vs 0.9 × %.0f = %.0f", burstD.callsPerSecond(),
                burstB.callsPerSecond(), 0.9 * burstB.callsPerSecond()), burstD.callsPerSecond() >= 0.9 * burstB.callsPerSecond());
        Load.Figures steadyD = find("2 steady", "dispatcher");
        Load.Figures steadyB = find("2 steady", "bare loop");
        target("steady " + rate + "/s: dispatcher p50 ≤ bare loop's p50 + 15 ms", String.format("%.1f vs %.1f + 15 = %.1f ms", steadyD.p50(),
                steadyB.p50(), steadyB.p50() + 15), steadyD.p50() <= steadyB.p50() + 15);
        Load.Figures mixD = find("3 mix", "dispatcher");
        target("mix: dispatcher fast calls' p99 ≤ 1.5 × its all-fast p99 (scenario 2)", String.format("%.1f vs 1.5 × %.1f = %.1f ms", mixD.p99(),
                steadyD.p99(), 1.5 * steadyD.p99()), mixD.p99() <= 1.5 * steadyD.p99());
        Load.Figures mixB = find("3 mix", "bare loop");
        System.out.printf("| (for comparison) mix: bare loop fast calls' p99 vs its all-fast p99 | %.1f vs %.1f ms | – |%n", mixB.p99(), steadyB.p99());
        for (InternalCalls.Figures f : internal.stream().filter(f -> !f.call().startsWith("(floor)")).toList()) {
            target(f.call().substring(0, f.call().indexOf(' ')) + " warm p99 < 2 ms", String.format("%.2f ms", f.p99()), f.p99() < 2 && f.failed() == 0);
        }
        target("dispatcher resident memory < 300 MB", String.format("%.0f MB (replica 2: %.0f MB)", rssMb, secondRssMb), rssMb < 300);
        Load.Figures one = find("5 replicas", "dispatcher, 1 replica");
        Load.Figures two = find("5 replicas", "dispatcher, 2 replicas");
        System.out.printf("| (no target) two replicas vs one, on %d cores | %.0f vs %.0f calls/s = %.2f × | – |%n",
                Runtime.getRuntime().availableProcessors(), two.callsPerSecond(), one.callsPerSecond(), two.callsPerSecond() / one.callsPerSecond());
        long failed = rows.stream().mapToLong(row -> row.figures().failed()).sum();
        target("every call succeeded (else the figures above measure failures)", failed + " failed", failed == 0);
    }

    private static void target(String target, String measured, boolean met) {
        System.out.printf("| %s | %s | %s |%n", target, measured, met ? "yes" : "**no**");
    }

    private Load.Figures find(String scenarioPrefix, String pipeline) {
        return rows.stream().filter(row -> row.scenario().startsWith(scenarioPrefix) && row.figures().pipeline().equals(pipeline))
                .map(Row::figures).findFirst().orElseThrow();
    }

    /** From the dispatcher's own metrics, when it reports them: transactions and their mean size and time. */
    private static String commitFigures(int managementPort) {
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double commits = metric(metrics, "polymux_dispatch_batch_commit_seconds_count");
            if (commits == 0) {
                return "Dispatcher replica 1 reports no polymux_dispatch_batch_commit metrics.";
            }
            return String.format("Dispatcher replica 1, whole run: %.0f transactions, mean %.1f results each, mean commit %.1f ms.", commits,
                    metric(metrics, "polymux_dispatch_batch_size_sum") / commits,
                    metric(metrics, "polymux_dispatch_batch_commit_seconds_sum") / commits * 1000);
        } catch (Exception e) {
            return "Dispatcher commit figures unavailable (" + e.getClass().getSimpleName() + ").";
        }
    }

    private static double metric(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static double residentMemoryMb(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(line -> line.startsWith("VmRSS"))
                    .map(line -> line.replaceAll("[^0-9]", "")).mapToDouble(kb -> Double.parseDouble(kb) / 1024).findFirst().orElse(Double.NaN);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private void start(QuarkusTestResourceLifecycleManager resource) {
        resource.start();
        started.addFirst(resource); // stopped in reverse order
    }

    private void stopAll() {
        for (QuarkusTestResourceLifecycleManager resource : started) {
            try {
                resource.stop();
            } catch (RuntimeException e) {
                System.err.println("Could not stop " + resource.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        started.clear();
    }

    private static void progress(String step) {
        System.err.printf("[bench %4.0f s] %s%n", (System.nanoTime() - STARTED) / 1e9, step);
    }
}
