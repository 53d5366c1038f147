package dev.polymux.dispatch.toolcall.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

import dev.polymux.dispatch.config.DispatchConfig;

/**
 * How long to wait before the next attempt of a call, or that there is none. Exponential backoff with jitter
 * (between half and all of the doubled wait, so a provider's many callers do not retry in step), at least the
 * provider's Retry-After, capped, never negative, and never ending past the call's deadline.
 */
public final class RetryPolicy {

    private final DispatchConfig.Retry config;
    private final DoubleSupplier random;

    public RetryPolicy(DispatchConfig.Retry config, DoubleSupplier random) {
        this.config = config;
        this.random = random;
    }

    /**
     * The wait before attempt {@code attemptsMade + 1}; empty when no attempt is left, the provider asks for more than
     * {@code maxRetryAfter}, or the wait would end at or after the deadline.
     */
    public Optional<Duration> nextWait(int attemptsMade, Optional<Duration> retryAfter, Instant now, Instant deadline) {
        if (attemptsMade >= config.maxAttempts()) {
            return Optional.empty();
        }
        if (retryAfter.isPresent() && retryAfter.get().compareTo(config.maxRetryAfter()) > 0) {
            return Optional.empty();
        }
        Duration doubled = config.initialBackoff().multipliedBy(1L << Math.min(Math.max(attemptsMade - 1, 0), 20));
        Duration capped = doubled.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : doubled;
        Duration jittered = Duration.ofMillis((long) (capped.toMillis() * (0.5 + 0.5 * random.getAsDouble())));
        Duration wait = retryAfter.filter(asked -> asked.compareTo(jittered) > 0).orElse(jittered);
        if (wait.isNegative()) {
            wait = Duration.ZERO;
        }
        return now.plus(wait).isBefore(deadline) ? Optional.of(wait) : Optional.empty();
    }
}
