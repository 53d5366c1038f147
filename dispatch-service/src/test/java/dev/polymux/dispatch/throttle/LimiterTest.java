package dev.polymux.dispatch.throttle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Concurrency, rate and pause limits, first come first served, and giving up a place in line. */
class LimiterTest {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();

    @AfterAll
    static void stop() {
        TIMER.shutdownNow();
    }

    @Test
    void noMoreThanTheConcurrencyLimitRunAndReleasesLetTheNextInInOrder() {
        Limiter limiter = new Limiter(2, 0, TIMER);
        List<CompletableFuture<Void>> turns = acquire(limiter, 5);
        assertEquals(List.of(true, true, false, false, false), done(turns));

        turns.get(2).cancel(false); // the third caller gives up waiting
        limiter.release();
        assertEquals(List.of(true, true, false, true, false), done(turns), "the fourth goes, the cancelled third is skipped");
        assertEquals(2, limiter.inFlight());

        limiter.release();
        assertTrue(turns.get(4).isDone());
        assertEquals(0, limiter.waiting());
    }

    @Test
    void aRateLimitLetsABurstOfOneSecondThroughAndTheRestAsTokensRefill() {
        Limiter limiter = new Limiter(100, 5, TIMER);
        List<CompletableFuture<Void>> turns = acquire(limiter, 7);
        assertEquals(5, done(turns).stream().filter(d -> d).count(), "one second's worth at once");
        assertFalse(turns.get(6).isDone());
        await().atMost(Duration.ofSeconds(3)).until(() -> turns.stream().allMatch(CompletableFuture::isDone));
    }

    @Test
    void aPauseHoldsEveryoneUntilItEnds() {
        Limiter limiter = new Limiter(10, 0, TIMER);
        limiter.pauseFor(Duration.ofMillis(600));
        long started = System.nanoTime();
        List<CompletableFuture<Void>> turns = acquire(limiter, 3);
        assertEquals(List.of(false, false, false), done(turns));
        CompletableFuture.allOf(turns.toArray(CompletableFuture[]::new)).join();
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(waitedMillis >= 550, "nobody started during the pause (waited " + waitedMillis + " ms)");
    }

    private static List<CompletableFuture<Void>> acquire(Limiter limiter, int count) {
        List<CompletableFuture<Void>> turns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            turns.add(limiter.acquire());
        }
        return turns;
    }

    private static List<Boolean> done(List<CompletableFuture<Void>> turns) {
        return turns.stream().map(turn -> turn.isDone() && !turn.isCancelled()).toList();
    }
}
