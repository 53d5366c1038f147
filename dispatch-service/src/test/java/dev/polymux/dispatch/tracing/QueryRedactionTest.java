package dev.polymux.dispatch.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import dev.polymux.common.tracing.QueryRedaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** An HTTP span's query never reaches the exporter: an OAuth callback's code, a provider address's key. */
class QueryRedactionTest {

    @Test
    void queriesAreRedactedBeforeExportAndPathsStay() {
        InMemorySpanExporter exported = InMemorySpanExporter.create();
        SpanData span;
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(new QueryRedaction())
                .addSpanProcessor(SimpleSpanProcessor.create(exported)).build()) {
            tracing.get("test").spanBuilder("GET /oauth/callback").setAttribute("url.path", "/oauth/callback")
                    .setAttribute("url.query", "code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj")
                    .setAttribute("url.full", "https://api.example.com/v1/items?api_key=sk_live_123&q=x").startSpan().end();
            span = exported.getFinishedSpanItems().getFirst(); // before close: shutting down clears the exporter
        }
        assertEquals("/oauth/callback", span.getAttributes().get(AttributeKey.stringKey("url.path")));
        assertEquals(QueryRedaction.REDACTED, span.getAttributes().get(AttributeKey.stringKey("url.query")));
        assertEquals("https://api.example.com/v1/items?" + QueryRedaction.REDACTED, span.getAttributes().get(AttributeKey.stringKey("url.full")));
        assertFalse(span.getAttributes().toString().contains("SplxlOBeZQQYbYS6WxSbIA") || span.getAttributes().toString().contains("sk_live_123"));
    }
}
