package dev.polymux.dispatch.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.toolcall.service.RetryPolicy;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-25T14:00:00Z");
    private static final Instant FAR = NOW.plusSeconds(300);
    private static final DispatchConfig.Retry CONFIG = new DispatchConfig.Retry() {
        @Override
        public int maxAttempts() {
            return 5;
        }

        @Override
        public Duration initialBackoff() {
            return Duration.ofMillis(200);
        }

        @Override
        public Duration maxBackoff() {
            return Duration.ofSeconds(10);
        }

        @Override
        public Duration maxRetryAfter() {
            return Duration.ofSeconds(60);
        }
    };

    @Test
    void waitsDoubleWithJitterBetweenHalfAndAllAndAreCapped() {
        RetryPolicy lowest = new RetryPolicy(CONFIG, () -> 0.0);
        RetryPolicy highest = new RetryPolicy(CONFIG, () -> 1.0);
        assertEquals(Optional.of(Duration.ofMillis(100)), lowest.nextWait(1, Optional.empty(), NOW, FAR));
        assertEquals(Optional.of(Duration.ofMillis(200)), highest.nextWait(1, Optional.empty(), NOW, FAR));
        assertEquals(Optional.of(Duration.ofMillis(800)), highest.nextWait(3, Optional.empty(), NOW, FAR));
        assertEquals(Optional.of(Duration.ofSeconds(10)), new RetryPolicy(new Capped(40), () -> 1.0).nextWait(30, Optional.empty(), NOW, FAR),
                "capped at maxBackoff");
    }

    @Test
    void aRetryAfterIsHonouredButNotBeyondItsCapOrTheDeadline() {
        RetryPolicy policy = new RetryPolicy(CONFIG, () -> 0.5);
        assertEquals(Optional.of(Duration.ofSeconds(2)), policy.nextWait(1, Optional.of(Duration.ofSeconds(2)), NOW, FAR),
                "429 with Retry-After: 2 waits at least 2 s");
        assertEquals(Optional.empty(), policy.nextWait(1, Optional.of(Duration.ofSeconds(61)), NOW, FAR), "more than maxRetryAfter");
        assertEquals(Optional.empty(), policy.nextWait(1, Optional.of(Duration.ofSeconds(2)), NOW, NOW.plusSeconds(2)),
                "a wait ending at the deadline leaves no time for the attempt");
        assertEquals(Optional.of(Duration.ofMillis(150)), policy.nextWait(1, Optional.of(Duration.ZERO), NOW, FAR),
                "Retry-After: 0 (or a date in the past) falls back to the backoff");
    }

    @Test
    void noAttemptIsLeftAfterTheLastAndNoWaitIsEverNegative() {
        RetryPolicy policy = new RetryPolicy(CONFIG, () -> 1.0);
        assertEquals(Optional.empty(), policy.nextWait(5, Optional.empty(), NOW, FAR));
        for (int attempt = 0; attempt < 5; attempt++) {
            Duration wait = policy.nextWait(attempt, Optional.of(Duration.ofSeconds(-5)), NOW, FAR).orElseThrow();
            assertTrue(!wait.isNegative(), wait.toString());
        }
    }

    /** The default config with more attempts, to reach the cap. */
    private record Capped(int maxAttempts) implements DispatchConfig.Retry {
        @Override
        public Duration initialBackoff() {
            return CONFIG.initialBackoff();
        }

        @Override
        public Duration maxBackoff() {
            return CONFIG.maxBackoff();
        }

        @Override
        public Duration maxRetryAfter() {
            return CONFIG.maxRetryAfter();
        }
    }
}
