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
    /** How long the oldest call taken and not committed had waited at the last look; null while nothing waits. */
    private final AtomicReference<Waiting> oldest = new AtomicReference<>();
    private volatile Instant lastCommit;
    private volatile boolean failed;

    private record Waiting(Duration waited, Instant at) {
    }

    /** The poll loop's look at its oldest call not committed yet (null: none), many times a second. */
    public void oldestWaiting(Duration waited) {
        oldest.set(waited == null ? null : new Waiting(waited, clock.instant()));
    }

    /** A transaction of results committed. */
    public void committed() {
        lastCommit = clock.instant();
    }

    /** The consumer stopped on an error it cannot recover from: this replica takes no calls any more. */
    public void failed() {
        failed = true;
    }

    public boolean isFailed() {
        return failed;
    }

    /**
     * How long the oldest call taken from Kafka has waited for its commit (zero while nothing waits). Measured from the
     * poll loop's last look, plus the time since: a poll loop that stopped looking still ages its calls.
     */
    public Duration waiting() {
        Waiting waiting = oldest.get();
        return waiting == null ? Duration.ZERO : waiting.waited().plus(Duration.between(waiting.at(), clock.instant()));
    }

    public Optional<Instant> lastCommit() {
        return Optional.ofNullable(lastCommit);
    }
}
