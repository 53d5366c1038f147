package dev.polymux.dispatch.throttle;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One key's limits (an installation, or a provider): at most {@code maxConcurrent} calls at once, at most
 * {@code ratePerSecond} starts per second (a token bucket holding one second's worth; 0 means unlimited), and none
 * at all while paused (a provider's Retry-After). Waiting is asynchronous and first come, first served: a waiter
 * holds a future, not a thread, so a slow provider costs memory only for the calls already taken from Kafka.
 */
public final class Limiter {

    private static final Duration MAX_PAUSE = Duration.ofDays(1);

    private int maxConcurrent;
    private double ratePerSecond;
    private double burst;
    private final ScheduledExecutorService timer;
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();

    private int inFlight;
    private double tokens;
    private long refilledAt = System.nanoTime();
    private long pausedUntil = System.nanoTime();
    private long wakeUpAt = Long.MAX_VALUE;

    public Limiter(int maxConcurrent, double ratePerSecond, ScheduledExecutorService timer) {
        this.maxConcurrent = Math.max(1, maxConcurrent);
        this.ratePerSecond = Math.max(0, ratePerSecond);
        this.burst = Math.max(1, this.ratePerSecond);
        this.tokens = burst;
        this.timer = timer;
    }

    /**
     * Completes when the caller may start; it must then {@link #release()} when done. Cancelling the future gives up
     * the place in line (a cancelled future that completed anyway has its slot handed back by the canceller).
     */
    public CompletableFuture<Void> acquire() {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(turn);
        }
        drain();
        return turn;
    }

    public void release() {
        synchronized (this) {
            inFlight--;
        }
        drain();
    }

    /** Nobody starts before {@code wait} has passed (it only ever extends a pause; at most a day, so nanos never overflow). */
    public void pauseFor(Duration wait) {
        if (wait.isNegative() || wait.isZero()) {
            return;
        }
        long nanos = wait.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE.toNanos() : wait.toNanos();
        synchronized (this) {
            long until = System.nanoTime() + nanos;
            // nanoTime values compare by difference (they may wrap)
            if (until - pausedUntil > 0) {
                pausedUntil = until;
            }
        }
    }

    /**
     * New limits, from now on (a replica's share of a provider's limit changes when partitions move). Calls already
     * running keep their places; a lower limit lets the next ones wait until enough have ended.
     */
    public void resize(int maxConcurrent, double ratePerSecond) {
        synchronized (this) {
            refill(System.nanoTime());
            this.maxConcurrent = Math.max(1, maxConcurrent);
            this.ratePerSecond = Math.max(0, ratePerSecond);
            this.burst = Math.max(1, this.ratePerSecond);
            this.tokens = Math.min(tokens, burst);
        }
        drain();
    }

    public synchronized int maxConcurrent() {
        return maxConcurrent;
    }

    public synchronized double ratePerSecond() {
        return ratePerSecond;
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int waiting() {
        return waiting.size();
    }

    private void drain() {
        List<CompletableFuture<Void>> granted = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            refill(now);
            while (!waiting.isEmpty()) {
                CompletableFuture<Void> head = waiting.peek();
                if (head.isDone()) {
                    waiting.poll(); // gave up waiting
                    continue;
                }
                if (inFlight >= maxConcurrent) {
                    break; // a release drains again
                }
                long wait = Math.max(pausedUntil - now, ratePerSecond > 0 && tokens < 1 ? (long) ((1 - tokens) / ratePerSecond * 1e9) : 0);
                if (wait > 0) {
                    wakeUpIn(now, wait);
                    break;
                }
                waiting.poll();
                inFlight++;
                if (ratePerSecond > 0) {
                    tokens -= 1;
                }
                granted.add(head);
            }
        }
        for (CompletableFuture<Void> turn : granted) {
            if (!turn.complete(null)) {
                release(); // cancelled between the check and now
            }
        }
    }

    private void refill(long now) {
        if (ratePerSecond > 0) {
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * ratePerSecond);
        }
        refilledAt = now;
    }

    /** One timer at a time, at the earliest moment someone can go. */
    private void wakeUpIn(long now, long wait) {
        long at = now + wait;
        if (at >= wakeUpAt && wakeUpAt > now) {
            return;
        }
        wakeUpAt = at;
        timer.schedule(() -> {
            synchronized (this) {
                wakeUpAt = Long.MAX_VALUE;
            }
            drain();
        }, wait, TimeUnit.NANOSECONDS);
    }
}
