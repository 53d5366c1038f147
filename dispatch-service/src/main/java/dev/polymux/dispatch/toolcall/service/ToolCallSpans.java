package dev.polymux.dispatch.toolcall.service;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.polymux.dispatch.toolcall.ToolCall;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * One span per tool call (docs/tracing.md), a child of the call's CloudEvent {@code traceparent}: its context is what the
 * result and the provider request carry. What a span holds: the tool, plugin, connection key, connector, tenant and call
 * ids, the outcome (a code) and the attempts; never the arguments, a credential, or an error's message (it may quote a
 * provider's answer). With tracing off (the default) there is no span: the caller's trace id goes on with a span id of
 * our own ({@link TraceContext#childOf}), as before tracing existed.
 */
@ApplicationScoped
public class ToolCallSpans {

    static final AttributeKey<String> TOOL = AttributeKey.stringKey("polymux.tool");
    static final AttributeKey<String> PLUGIN = AttributeKey.stringKey("polymux.plugin_id");
    static final AttributeKey<String> CONNECTION = AttributeKey.stringKey("polymux.connection_key");
    static final AttributeKey<String> CONNECTOR = AttributeKey.stringKey("polymux.connector");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("polymux.tenant_id");
    static final AttributeKey<String> CALL = AttributeKey.stringKey("polymux.call_id");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("polymux.outcome");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("polymux.attempts");
    static final AttributeKey<Boolean> DEAD_LETTER = AttributeKey.booleanKey("polymux.dead_letter");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final boolean enabled;

    @Inject
    public ToolCallSpans(Tracer tracer, @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true") boolean sdkDisabled) {
        this.tracer = tracer;
        this.enabled = !sdkDisabled;
    }

    /** No spans: what tests that build the executor by hand get. */
    public static ToolCallSpans off() {
        return new ToolCallSpans(null, true);
    }

    /** The span of one call, started now; {@link CallSpan#traceparent()} is what the call carries on. */
    public CallSpan start(ToolCall call) {
        if (!enabled) {
            return new CallSpan(null, null, TraceContext.childOf(call.traceparent()));
        }
        Context parent = TraceContext.valid(call.traceparent())
                ? W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", call.traceparent()), GETTER)
                : Context.root();
        Span span = tracer.spanBuilder("tool_call " + call.tool()).setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute(TOOL, call.tool())
                .setAttribute(PLUGIN, call.pluginId())
                .setAttribute(CONNECTION, call.connectionKey())
                .setAttribute(TENANT, call.tenantId())
                .setAttribute(CALL, call.callId())
                .startSpan();
        SpanContext own = span.getSpanContext();
        SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
        // A tracer that records nothing hands back the parent's own context: that span id is the caller's, not ours.
        if (!own.isValid() || (parentSpan.isValid() && own.getSpanId().equals(parentSpan.getSpanId()))) {
            return new CallSpan(null, null, TraceContext.childOf(call.traceparent()));
        }
        Context context = parent.with(span);
        Map<String, String> headers = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(context, headers, Map::put);
        return new CallSpan(span, context, headers.get("traceparent"));
    }

    /** A running call's span (none with tracing off); it ends once, when the call's result is decided. */
    public static final class CallSpan {

        /** No span, no traceparent. */
        public static final CallSpan NONE = new CallSpan(null, null, null);

        private final Span span;
        private final Context context;
        private final String traceparent;
        private boolean ended;

        CallSpan(Span span, Context context, String traceparent) {
            this.span = span;
            this.context = context;
            this.traceparent = traceparent;
        }

        /** The traceparent of dispatch's part of the call (null when the call came without a valid one and nothing traces). */
        public String traceparent() {
            return traceparent;
        }

        /**
         * {@code work} subscribed with this span current, so that what it starts then (a gRPC call to registry, vault or
         * oauth) is a child of it. Cancelling the result cancels the work.
         */
        public <T> Uni<T> within(Supplier<Uni<T>> work) {
            if (context == null) {
                return Uni.createFrom().deferred(work::get);
            }
            return Uni.createFrom().emitter(emitter -> {
                Cancellable running;
                try (Scope ignored = context.makeCurrent()) {
                    running = work.get().subscribe().with(emitter::complete, emitter::fail);
                }
                emitter.onTermination(running::cancel);
            });
        }

        /** The call's result is decided: {@code outcome} is "succeeded" or an error code, never a message. */
        public synchronized void end(String connector, String outcome, int attempts, boolean deadLetter) {
            if (span == null || ended) {
                return;
            }
            ended = true;
            span.setAttribute(CONNECTOR, connector);
            span.setAttribute(OUTCOME, outcome);
            span.setAttribute(ATTEMPTS, (long) attempts);
            if (deadLetter) {
                span.setAttribute(DEAD_LETTER, true);
            }
            if (!"succeeded".equals(outcome)) {
                span.setAttribute(ERROR_TYPE, outcome);
                span.setStatus(StatusCode.ERROR, outcome);
            }
            span.end();
        }
    }
}
