package dev.polymux.dispatch.toolcall.service;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What operators watch (Prometheus names): {@code polymux_dispatch_calls_total{connector,tool,outcome}},
 * {@code polymux_dispatch_call_duration_seconds} (histogram, same tags), {@code polymux_dispatch_retries_total{connector,reason}},
 * {@code polymux_dispatch_dlq_total{reason}}, {@code polymux_dispatch_in_flight}. Consumer lag is the Kafka client's own
 * {@code kafka_consumer_fetch_manager_records_lag_max}. Calls and results are counted once their transaction committed.
 */
@ApplicationScoped
public class DispatchMetrics {

    private final MeterRegistry meters;
    private final AtomicInteger inFlight = new AtomicInteger();

    public DispatchMetrics(MeterRegistry meters) {
        this.meters = meters;
        meters.gauge("polymux.dispatch.in.flight", inFlight);
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    public void ended() {
        inFlight.decrementAndGet();
    }

    /** A committed result; {@code outcome} is "succeeded" or the error code. */
    public void result(String connector, String tool, String outcome, Duration took) {
        Counter.builder("polymux.dispatch.calls").description("Tool calls by connector, tool and outcome")
                .tags("connector", connector, "tool", tool, "outcome", outcome).register(meters).increment();
        Timer.builder("polymux.dispatch.call.duration").description("From a call's arrival to its result")
                .tags("connector", connector, "tool", tool, "outcome", outcome).publishPercentileHistogram()
                .register(meters).record(took);
    }

    /** One more attempt; {@code reason}: rate-limited, unavailable, credentials-refreshed. */
    public void retry(String connector, String reason) {
        Counter.builder("polymux.dispatch.retries").description("Provider attempts after the first")
                .tags("connector", connector, "reason", reason).register(meters).increment();
    }

    /** How long publishing a finished batch's results and committing its offsets took. */
    public void batchCommitted(int calls, long nanos) {
        Timer.builder("polymux.dispatch.batch.commit").description("Publishing a batch's results and committing its offsets, one transaction")
                .publishPercentileHistogram().register(meters).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        meters.summary("polymux.dispatch.batch.size").record(calls);
    }

    public void deadLettered(String reason) {
        Counter.builder("polymux.dispatch.dlq").description("Poison tool-call events sent to the DLQ, by reason")
                .tags("reason", reason).register(meters).increment();
    }
}
