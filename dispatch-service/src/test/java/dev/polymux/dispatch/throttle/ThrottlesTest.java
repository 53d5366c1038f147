package dev.polymux.dispatch.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.support.DispatchSettings;
import dev.polymux.dispatch.throttle.service.Throttles;
import dev.polymux.proto.registry.v1.ConnectionKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Where a limit comes from: the operator's per-connector setting, else the connector manifest, else the default. */
class ThrottlesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theManifestSetsTheInstallationsConcurrency() throws Exception {
        Throttles throttles = new Throttles(DispatchSettings.with(Map.of()), new SimpleMeterRegistry());
        assertEquals(2, granted(throttles, connection("inst-a", "{\"limits\":{\"concurrencyPerInstallation\":2}}"), 5));
    }

    @Test
    void anOperatorsSettingForTheConnectorWinsOverTheManifest() throws Exception {
        Throttles throttles = new Throttles(DispatchSettings.with(Map.of(
                "polymux.dispatch.throttle.providers.acme.concurrency-per-installation", "1")), new SimpleMeterRegistry());
        assertEquals(1, granted(throttles, connection("inst-b", "{\"limits\":{\"concurrencyPerInstallation\":2}}"), 5));
    }

    @Test
    void withoutEitherTheDefaultsApplyAndTheProviderLimitSpansInstallations() throws Exception {
        Throttles throttles = new Throttles(DispatchSettings.with(Map.of(
                "polymux.dispatch.throttle.concurrency-per-installation", "3",
                "polymux.dispatch.throttle.concurrency-per-provider", "4")), new SimpleMeterRegistry());
        assertEquals(3, granted(throttles, connection("inst-c", "{}"), 5), "per installation");
        assertEquals(1, granted(throttles, connection("inst-d", "{}"), 5), "the provider's fourth and last slot");
    }

    @Test
    void aProvidersRetryAfterPausesTheInstallationAtMostTheCap() throws Exception {
        Throttles throttles = new Throttles(DispatchSettings.with(Map.of("polymux.dispatch.retry.max-retry-after", "1s")),
                new SimpleMeterRegistry());
        ResolvedConnection connection = connection("inst-pause", "{}");
        throttles.slowDown(connection, java.time.Duration.ofSeconds(86400));
        long started = System.nanoTime();
        throttles.acquire(connection).await().atMost(java.time.Duration.ofSeconds(5)).release();
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(waitedMillis >= 800 && waitedMillis < 3000,
                "Retry-After: 86400 paused the installation " + waitedMillis + " ms, not at most the 1 s cap");
    }

    @Test
    void absurdRetryAftersNeitherThrowNorPauseForEver() throws Exception {
        Throttles throttles = new Throttles(DispatchSettings.with(Map.of("polymux.dispatch.retry.max-retry-after", "1s")),
                new SimpleMeterRegistry());
        ResolvedConnection connection = connection("inst-absurd", "{}");
        throttles.slowDown(connection, java.time.Duration.ofSeconds(Long.MAX_VALUE));
        throttles.slowDown(connection, java.time.Duration.ofSeconds(-5));
        throttles.acquire(connection).await().atMost(java.time.Duration.ofSeconds(5)).release();
        ResolvedConnection negative = connection("inst-negative", "{}");
        throttles.slowDown(negative, java.time.Duration.ofSeconds(-86400));
        long started = System.nanoTime();
        throttles.acquire(negative).await().atMost(java.time.Duration.ofSeconds(5)).release();
        org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - started < 500_000_000L, "a negative Retry-After does not pause");
    }

    @Test
    void aProvidersLimitHoldsForTheClusterEachReplicaTakingItsShareOfThePartitions() throws Exception {
        Throttles throttles = new Throttles(DispatchSettings.with(Map.of(
                "polymux.dispatch.throttle.concurrency-per-provider", "12",
                "polymux.dispatch.throttle.requests-per-second-per-provider", "30")), new SimpleMeterRegistry());
        ResolvedConnection connection = connection("inst-share-1", "{}");
        throttles.share(1, 4); // this replica owns 1 of the topic's 4 partitions
        assertEquals(3, granted(throttles, connection, 12), "a quarter of the provider's 12 at once");
        assertEquals(7.5, throttles.providerLimits(connection).ratePerSecond(), 0.001, "a quarter of 30 requests per second");
        throttles.share(3, 4); // a rebalance gave it two more: the limiter already made is resized
        assertEquals(9, throttles.providerLimits(connection).maxConcurrent());
        throttles.share(0, 4); // no partitions: never below one call at a time
        assertEquals(1, throttles.providerLimits(connection).maxConcurrent());
        throttles.share(2, 2);
        assertEquals(12, throttles.providerLimits(connection).maxConcurrent(), "all partitions: the whole limit");
        assertEquals(30, throttles.providerLimits(connection).ratePerSecond(), 0.001);
    }

    /** How many of {@code attempts} concurrent acquisitions are granted without any release. */
    private static int granted(Throttles throttles, ResolvedConnection connection, int attempts) {
        AtomicInteger granted = new AtomicInteger();
        List<io.smallrye.mutiny.subscription.Cancellable> waiting = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            waiting.add(throttles.acquire(connection).subscribe().with(permit -> granted.incrementAndGet()));
        }
        waiting.forEach(io.smallrye.mutiny.subscription.Cancellable::cancel);
        return granted.get();
    }

    private static ResolvedConnection connection(String installationId, String manifest) throws Exception {
        return new ResolvedConnection(installationId, "t", "plugin", "key", ConnectionKind.CONNECTION_KIND_VAULT, "acme", "1.0.0",
                JSON.readTree(manifest), null);
    }
}
