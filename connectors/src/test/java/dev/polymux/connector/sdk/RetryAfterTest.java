package dev.polymux.connector.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** What a provider's Retry-After may say, and what the dispatcher is told: never negative, never unbounded. */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void hugeDelaySecondsAreClampedNotOverflowed() {
        assertEquals(Optional.of(Duration.ofDays(1)), RetryAfter.parse("86400", NOW));
        assertEquals(Optional.of(RetryAfter.MAX), RetryAfter.parse("9223372036854775807", NOW), "Long.MAX_VALUE seconds");
        assertEquals(Optional.of(RetryAfter.MAX), RetryAfter.parse("99999999999999999999999", NOW), "more digits than a long holds");
        // Every answer can be added to an instant and turned into nanoseconds without an ArithmeticException.
        RetryAfter.parse("9223372036854775807", NOW).orElseThrow().toNanos();
        NOW.plus(RetryAfter.parse("99999999999999999999999", NOW).orElseThrow());
    }

    @Test
    void farFutureDatesAreClampedAndPastDatesMeanNow() {
        assertEquals(Optional.of(RetryAfter.MAX), RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("-86400", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("-99999999999999999999999", NOW));
    }

    @Test
    void theObsoleteHttpDateFormatsAreReadAsRfc9110Requires() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Wednesday, 25-Nov-26 12:01:30 GMT", NOW), "RFC 850");
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Wed Nov 25 12:01:30 2026", NOW), "asctime");
    }

    @Test
    void malformedValuesAreIgnored() {
        for (String value : new String[] {"1.5", "5s", "0x10", "5, 10", "٣٠", "Wed, 32 Nov 2026 12:00:00 GMT", "tomorrow", "\u0000"}) {
            assertEquals(Optional.empty(), RetryAfter.parse(value, NOW), value);
        }
    }
}
