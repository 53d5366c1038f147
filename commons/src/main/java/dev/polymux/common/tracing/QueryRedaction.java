package dev.polymux.common.tracing;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * HTTP spans record the request's address, query included: oauth-service's {@code /oauth/callback?code=...&state=...}
 * would put an authorization code into the tracing backend, and a provider's address may carry an API key. Every
 * span's query attributes are replaced before anything is exported; the path stays.
 */
@ApplicationScoped
public class QueryRedaction implements SpanProcessor {

    public static final String REDACTED = "[redacted]";
    private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final List<AttributeKey<String>> ADDRESSES = List.of(AttributeKey.stringKey("url.full"), AttributeKey.stringKey("http.url"),
            AttributeKey.stringKey("http.target"));

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        if (span.getAttribute(URL_QUERY) != null) {
            span.setAttribute(URL_QUERY, REDACTED);
        }
        for (AttributeKey<String> key : ADDRESSES) {
            String address = span.getAttribute(key);
            if (address != null && address.indexOf('?') >= 0) {
                span.setAttribute(key, withoutQuery(address));
            }
        }
    }

    /** The address up to its query, and the query replaced. */
    public static String withoutQuery(String address) {
        return address.substring(0, address.indexOf('?')) + "?" + REDACTED;
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        // nothing: HTTP instrumentation sets the address when the span starts
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
