package dev.polymux.dispatch.toolcall.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether the dispatcher gets the calls it took committed. Results whose transaction keeps failing are retried again
 * and again: the consumer looks busy and no tenant gets a result. This is what health reports.
 */
@ApplicationScoped
public class DispatchProgress {

    private final Clock clock = Clock.systemUTC();
    /** When the oldest polled call that is not committed yet arrived; empty while nothing waits. */
    private final AtomicReference<Instant> waitingSince = new AtomicReference<>();
    private volatile Instant lastCommit;
    private volatile boolean failed;

    /** Calls were taken from Kafka: they wait for a commit from now on (unless earlier ones already did). */
    public void polled() {
        waitingSince.compareAndSet(null, clock.instant());
    }

    /** A transaction committed; {@code stillWaiting}: calls taken before it are not committed yet, and wait from now. */
    public void committed(boolean stillWaiting) {
        lastCommit = clock.instant();
        waitingSince.set(stillWaiting ? lastCommit : null);
    }

    /** The consumer stopped on an error it cannot recover from: this replica takes no calls any more. */
    public void failed() {
        failed = true;
    }

    public boolean isFailed() {
        return failed;
    }

    /** How long polled calls have waited for a commit (zero while nothing waits). */
    public Duration waiting() {
        Instant since = waitingSince.get();
        return since == null ? Duration.ZERO : Duration.between(since, clock.instant());
    }

    public Optional<Instant> lastCommit() {
        return Optional.ofNullable(lastCommit);
    }
}
