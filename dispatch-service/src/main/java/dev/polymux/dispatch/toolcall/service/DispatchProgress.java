package dev.polymux.dispatch.toolcall.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether the dispatcher gets its polled calls committed. A batch whose transaction keeps failing is consumed again and
 * again: the consumer looks busy, the channel stays up, and no tenant gets a result. This is what health reports.
 */
@ApplicationScoped
public class DispatchProgress {

    private final Clock clock = Clock.systemUTC();
    /** When the oldest polled call that is not committed yet arrived; empty while nothing waits. */
    private final AtomicReference<Instant> waitingSince = new AtomicReference<>();
    private volatile Instant lastCommit;

    /** A batch was polled: its calls wait for a commit from now on (unless earlier ones already did). */
    public void polled() {
        waitingSince.compareAndSet(null, clock.instant());
    }

    /** A batch was committed: nothing waits until the next poll. */
    public void committed() {
        lastCommit = clock.instant();
        waitingSince.set(null);
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
