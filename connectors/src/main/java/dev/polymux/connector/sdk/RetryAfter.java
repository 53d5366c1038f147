package dev.polymux.connector.sdk;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads an HTTP {@code Retry-After} header (RFC 9110: delay-seconds or an HTTP-date in any of its three formats).
 * Providers send odd values; a negative delay or a date in the past means "now" (zero), garbage means "not said"
 * (empty), and anything longer than {@link #MAX} is {@link #MAX}, so a caller is never told to wait a negative,
 * unparseable or overflowing time. Capping further (the dispatcher's max-retry-after, the call's deadline) is the
 * caller's job.
 */
public final class RetryAfter {

    /** The longest wait ever reported: more than any cap a caller uses, small enough for nanos and instants. */
    public static final Duration MAX = Duration.ofDays(1);

    private static final Pattern SECONDS = Pattern.compile("-?[0-9]{1,64}");

    /** RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT"): two-digit years are read within 50 years of now, as RFC 9110 says. */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("EEEE, dd-MMM-").appendValueReduced(ChronoField.YEAR, 2, 2, java.time.Year.now(ZoneOffset.UTC).getValue() - 50)
            .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.ENGLISH).withResolverStyle(ResolverStyle.SMART);

    /** asctime ("Sun Nov  6 08:49:37 1994"), always UTC. */
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("EEE MMM ppd HH:mm:ss yyyy").toFormatter(Locale.ENGLISH).withResolverStyle(ResolverStyle.SMART);

    private static final List<Function<String, Instant>> DATES = List.of(
            value -> ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(),
            value -> LocalDateTime.parse(value, RFC_850).toInstant(ZoneOffset.UTC),
            value -> LocalDateTime.parse(value, ASCTIME).toInstant(ZoneOffset.UTC));

    private RetryAfter() {
    }

    public static Optional<Duration> parse(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        if (SECONDS.matcher(value).matches()) {
            if (value.startsWith("-")) {
                return Optional.of(Duration.ZERO);
            }
            // Up to 64 digits: compare by length first, so no value overflows a long.
            String digits = value.replaceFirst("^0+(?=.)", "");
            if (digits.length() > 6) {
                return Optional.of(MAX);
            }
            return Optional.of(clamp(Duration.ofSeconds(Long.parseLong(digits))));
        }
        for (Function<String, Instant> format : DATES) {
            try {
                Duration wait = Duration.between(now, format.apply(value));
                return Optional.of(wait.isNegative() ? Duration.ZERO : clamp(wait));
            } catch (DateTimeParseException | ArithmeticException notThisFormat) {
                // the next format, or not a date at all
            }
        }
        return Optional.empty();
    }

    private static Duration clamp(Duration wait) {
        return wait.compareTo(MAX) > 0 ? MAX : wait;
    }
}
