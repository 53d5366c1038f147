package dev.polymux.dispatch.toolcall.service;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W3C trace context for a call: dispatch is one span of the engine's trace, so the provider request and the result
 * carry the caller's trace id with a span id of our own. A malformed traceparent is dropped rather than passed on.
 */
public final class TraceContext {

    private static final Pattern TRACEPARENT = Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");

    private TraceContext() {
    }

    /** Whether {@code traceparent} is a version-00 W3C traceparent with a non-zero trace id. */
    public static boolean valid(String traceparent) {
        return parsed(traceparent) != null;
    }

    /** The traceparent of dispatch's span under {@code parent}, or null when there is no valid parent. */
    public static String childOf(String parent) {
        Matcher match = parsed(parent);
        if (match == null) {
            return null;
        }
        long span;
        do {
            span = ThreadLocalRandom.current().nextLong();
        } while (span == 0);
        return "00-" + match.group(1) + "-" + HexFormat.of().toHexDigits(span) + "-" + match.group(3);
    }

    /** The matched traceparent, or null when it is missing, malformed or has the all-zero trace id. */
    private static Matcher parsed(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        Matcher match = TRACEPARENT.matcher(traceparent);
        return match.matches() && !match.group(1).chars().allMatch(c -> c == '0') ? match : null;
    }
}
