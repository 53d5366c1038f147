package dev.polymux.dispatch.throttle.service;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.installation.ResolvedConnection;
import dev.polymux.dispatch.throttle.Limiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * Per-installation and per-provider limits for provider calls. Each call takes its installation's turn, then its
 * provider's (always in that order, so waits cannot deadlock). Limits come from the connector manifest's
 * {@code limits}, then the operator's {@code polymux.dispatch.throttle.providers.<connector>.*}, then the defaults.
 * A provider's Retry-After pauses the installation for every call, not only the one that was told.
 * <p>
 * Installation limits are whole on every replica: calls are keyed by installation, so one partition, and therefore one
 * replica, sees all calls of an installation. Provider limits are for the cluster: each replica takes the share of a
 * provider's limit that it owns of the tool-call partitions ({@link #share}), recomputed on every rebalance. No shared
 * state, no extra round trip per call; the cost is that a skewed partition gets no more than its share.
 */
@ApplicationScoped
public class Throttles {

    /** Both turns of one call; released once, when the attempt ends. */
    public record Permit(Limiter installation, Limiter provider) {
        public void release() {
            provider.release();
            installation.release();
        }
    }

    private final DispatchConfig.Throttle config;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
            .name("dispatch-throttle-timer").daemon().factory());
    private final Cache<String, Limiter> installations = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();
    /** A provider's limiter with the cluster-wide limits it was made from, so a new share can be applied. */
    private record ProviderLimiter(int concurrency, double rate, Limiter limiter) {
    }

    private final ConcurrentHashMap<String, ProviderLimiter> providers = new ConcurrentHashMap<>();
    /** This replica's share of the tool-call partitions: owned, total (1 of 1 until the first assignment). */
    private volatile int ownedPartitions = 1;
    private volatile int totalPartitions = 1;
    private final Timer waits;
    private final Duration maxPause;

    public Throttles(DispatchConfig config, MeterRegistry meters) {
        this.config = config.throttle();
        this.maxPause = config.retry().maxRetryAfter();
        this.waits = Timer.builder("polymux.dispatch.throttle.wait").description("Time calls waited for their installation's and provider's turn")
                .publishPercentileHistogram().register(meters);
    }

    /** The call's turn at both limits; cancelling while waiting gives the places up. */
    public Uni<Permit> acquire(ResolvedConnection connection) {
        Limiter installation = installationLimiter(connection);
        Limiter provider = providerLimiter(connection);
        long started = System.nanoTime();
        return turn(installation)
                .flatMap(ignored -> turn(provider).onFailure().invoke(installation::release).onCancellation().invoke(installation::release))
                .map(ignored -> {
                    waits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    return new Permit(installation, provider);
                });
    }

    /**
     * The provider asked this installation to wait: every call of it waits, but never longer than
     * {@code polymux.dispatch.retry.max-retry-after}: a provider (or anyone who can make it answer) must not pause an
     * installation for a day. A negative or zero wait pauses nobody.
     */
    public void slowDown(ResolvedConnection connection, Duration retryAfter) {
        if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
            return;
        }
        installationLimiter(connection).pauseFor(retryAfter.compareTo(maxPause) > 0 ? maxPause : retryAfter);
    }

    /** Calls of this installation holding a permit now (a leak shows here as a count that never falls to 0). */
    public int inFlight(ResolvedConnection connection) {
        return installationLimiter(connection).inFlight();
    }

    private static Uni<Void> turn(Limiter limiter) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> turn = limiter.acquire();
            return Uni.createFrom().completionStage(turn).onCancellation().invoke(() -> {
                if (!turn.cancel(false)) {
                    limiter.release(); // granted just as the caller gave up
                }
            });
        });
    }

    private Limiter installationLimiter(ResolvedConnection connection) {
        return installations.get(connection.installationId(), id -> new Limiter(
                limit(connection, "concurrencyPerInstallation", DispatchConfig.ProviderLimits::concurrencyPerInstallation,
                        config.concurrencyPerInstallation()),
                rate(connection, "requestsPerSecondPerInstallation", DispatchConfig.ProviderLimits::requestsPerSecondPerInstallation,
                        config.requestsPerSecondPerInstallation()), timer));
    }

    /**
     * This replica owns {@code owned} of the {@code total} tool-call partitions: every provider limit becomes that share
     * of the cluster's (at least one call at a time, so a replica with a partition is never stuck).
     */
    public void share(int owned, int total) {
        if (total <= 0) {
            return;
        }
        ownedPartitions = Math.max(0, Math.min(owned, total));
        totalPartitions = total;
        providers.values().forEach(provider -> provider.limiter().resize(sharedConcurrency(provider.concurrency()), sharedRate(provider.rate())));
    }

    /** A provider's limits on this replica now (its share): concurrency, requests per second (0: none). */
    public Limiter providerLimits(ResolvedConnection connection) {
        return providerLimiter(connection);
    }

    private Limiter providerLimiter(ResolvedConnection connection) {
        return providers.computeIfAbsent(connection.providerKey(), id -> {
            int concurrency = limit(connection, "concurrencyPerProvider", DispatchConfig.ProviderLimits::concurrencyPerProvider,
                    config.concurrencyPerProvider());
            double rate = rate(connection, "requestsPerSecondPerProvider", DispatchConfig.ProviderLimits::requestsPerSecondPerProvider,
                    config.requestsPerSecondPerProvider());
            return new ProviderLimiter(concurrency, rate, new Limiter(sharedConcurrency(concurrency), sharedRate(rate), timer));
        }).limiter();
    }

    private int sharedConcurrency(int cluster) {
        return Math.max(1, (int) ((long) cluster * ownedPartitions / totalPartitions));
    }

    private double sharedRate(double cluster) {
        return cluster <= 0 ? 0 : Math.max(cluster * ownedPartitions / totalPartitions, 0.01);
    }

    /** The operator's setting for the connector, else the manifest's {@code limits.<name>}, else the default. */
    private int limit(ResolvedConnection connection, String name, Function<DispatchConfig.ProviderLimits, OptionalInt> setting,
            int fallback) {
        OptionalInt configured = operatorLimits(connection).map(setting).orElse(OptionalInt.empty());
        if (configured.isPresent()) {
            return configured.getAsInt();
        }
        JsonNode fromManifest = manifestLimit(connection, name);
        return fromManifest.canConvertToInt() && fromManifest.asInt() > 0 ? fromManifest.asInt() : fallback;
    }

    private double rate(ResolvedConnection connection, String name, Function<DispatchConfig.ProviderLimits, OptionalDouble> setting,
            double fallback) {
        OptionalDouble configured = operatorLimits(connection).map(setting).orElse(OptionalDouble.empty());
        if (configured.isPresent()) {
            return configured.getAsDouble();
        }
        JsonNode fromManifest = manifestLimit(connection, name);
        return fromManifest.isNumber() && fromManifest.asDouble() > 0 ? fromManifest.asDouble() : fallback;
    }

    private Optional<DispatchConfig.ProviderLimits> operatorLimits(ResolvedConnection connection) {
        return Optional.ofNullable(config.providers().get(connection.connectorLabel()));
    }

    private static JsonNode manifestLimit(ResolvedConnection connection, String name) {
        return connection.manifest() == null ? MissingNode.getInstance() : connection.manifest().path("limits").path(name);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
