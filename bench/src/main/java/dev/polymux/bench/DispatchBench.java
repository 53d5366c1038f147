package dev.polymux.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
 * The dispatcher (packaged, as a process, with the real registry and vault-service) against a stub provider on
 * loopback, side by side in the same run with {@link BareLoop} against the same stub: calls/s and latency
 * percentiles, printed as a table, plus the dispatcher's resident memory. Run with {@code bench/run}.
 */
public final class DispatchBench {

    private static final String API_KEY = "acme_live_bench";

    private DispatchBench() {
    }

    public static void main(String[] args) throws Exception {
        int burst = Integer.parseInt(System.getProperty("bench.burst", "5000"));
        int paced = Integer.parseInt(System.getProperty("bench.rate", "200"));
        int pacedSeconds = Integer.parseInt(System.getProperty("bench.seconds", "10"));
        List<QuarkusTestResourceLifecycleManager> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Interrupted (Ctrl-C, SIGTERM): stop the child services too, rather than leaving them running.
        Thread stopChildren = new Thread(() -> started.forEach(QuarkusTestResourceLifecycleManager::stop), "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopChildren);
        try {
            KafkaBroker.bootstrapServers();
            List.of(EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, EventTopics.TOOL_CALLS_DLQ, EventTopics.CONNECTION_EVENTS,
                    EventTopics.REGISTRY_EVENTS, EventTopics.AUDIT_EVENTS).forEach(topic -> KafkaBroker.ensureTopic(topic, 3));
            RestAssured.baseURI = "http://localhost";
            for (QuarkusTestResourceLifecycleManager resource : List.of(new AuthorizationServer(), new ProviderStub(), new RegistryServiceChild(),
                    new VaultServiceChild(), new OAuthChild())) {
                resource.start();
                started.addFirst(resource);
            }
            Suite.published();
            String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            String installation = Platform.install(tenant, Suite.PLUGIN).get("acme");
            Platform.storeCredentials(tenant, installation, "{\"value\":\"" + API_KEY + "\"}");
            ProviderStub.server().stubFor(get(urlPathMatching("/widgets/.*")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"id\":\"w\",\"name\":\"Sprocket\"}")));
            DispatchChild dispatcher = new DispatchChild("dispatch-bench");
            dispatcher.start();
            started.addFirst(dispatcher);

            List<Load.Figures> figures = new ArrayList<>();
            java.util.function.Function<String, String> call = id -> ToolCalls.event(id, tenant, Suite.PLUGIN, "acme", "get_widget",
                    "{\"id\":\"w-1\"}", Instant.now().plusSeconds(120));
            // Warm-up: JIT, connection pools, caches (the first call resolves the installation and reads the vault).
            Load.run("dispatcher", "warm-up", EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, 1000, 0, call);
            try (BareLoop bare = new BareLoop(ProviderStub.url(""), API_KEY, 64)) {
                Load.run("bare loop", "warm-up", BareLoop.CALLS, BareLoop.RESULTS, 1000, 0, call);
                figures.add(Load.run("dispatcher", "burst of " + burst, EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS, burst, 0, call));
                figures.add(Load.run("bare loop", "burst of " + burst, BareLoop.CALLS, BareLoop.RESULTS, burst, 0, call));
                figures.add(Load.run("dispatcher", paced + "/s for " + pacedSeconds + " s", EventTopics.TOOL_CALLS, EventTopics.TOOL_RESULTS,
                        paced * pacedSeconds, paced, call));
                figures.add(Load.run("bare loop", paced + "/s for " + pacedSeconds + " s", BareLoop.CALLS, BareLoop.RESULTS,
                        paced * pacedSeconds, paced, call));
            }
            print(figures, residentMemory(dispatcher.pid()));
            System.out.println(commitFigures(dispatcher.managementPort()));
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopChildren);
            started.forEach(QuarkusTestResourceLifecycleManager::stop);
        }
        System.exit(0);
    }

    private static void print(List<Load.Figures> figures, String memory) {
        System.out.println();
        System.out.printf("Dispatch benchmark, %s, %d cores, JDK %s%n", Instant.now(), Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        System.out.println("| pipeline | scenario | calls | calls/s | p50 ms | p95 ms | p99 ms | max ms | failed | p50 ms: to batch / inside / to reader |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Load.Figures f : figures) {
            System.out.printf("| %s | %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %d | %s |%n", f.pipeline(), f.scenario(), f.calls(),
                    f.callsPerSecond(), f.p50(), f.p95(), f.p99(), f.max(), f.failures(), f.insideP50() > 0 ? String.format("%.0f / %.0f / %.0f", f.beforeP50(), f.insideP50(), f.afterP50()) : "–");
        }
        System.out.println("Dispatcher resident memory after the runs: " + memory);
        System.out.println("Last column, from the result's timings: publish to arrival in a batch / arrival to result built"
                + " (the dispatcher's own durationMs) / result built to read by a read_committed reader (includes the batch's commit).");
    }

    /** From the dispatcher's own metrics: mean batch size and mean time to publish and commit a batch. */
    private static String commitFigures(int managementPort) {
        try {
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + managementPort + "/q/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double commits = metric(metrics, "polymux_dispatch_batch_commit_seconds_count");
            return String.format("Dispatcher batches: %.0f, mean %.1f calls each, mean commit %.1f ms", commits,
                    metric(metrics, "polymux_dispatch_batch_size_sum") / commits,
                    metric(metrics, "polymux_dispatch_batch_commit_seconds_sum") / commits * 1000);
        } catch (Exception e) {
            return "Dispatcher batch figures unavailable (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static double metric(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String residentMemory(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(line -> line.startsWith("VmRSS"))
                    .map(line -> line.replace("VmRSS:", "").trim()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }
}
