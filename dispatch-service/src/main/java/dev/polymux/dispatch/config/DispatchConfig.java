package dev.polymux.dispatch.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of dispatch-service, under {@code polymux.dispatch.*}; each can be set by its environment variable in Kubernetes. */
@ConfigMapping(prefix = "polymux.dispatch")
public interface DispatchConfig {

    /** The CloudEvents {@code source} of every event this service publishes. Env: POLYMUX_DISPATCH_EVENT_SOURCE. */
    @WithDefault("/polymux/dispatch-service")
    String eventSource();

    /** The largest tool-call event accepted, in bytes; larger ones go to the DLQ. Env: POLYMUX_DISPATCH_MAX_EVENT_BYTES. */
    @WithDefault("1048576")
    int maxEventBytes();

    Retry retry();

    /** Retries of 429, 5xx and network errors, within the call's deadline. */
    interface Retry {

        /** Provider attempts per call at most, the first included. */
        @WithDefault("5")
        int maxAttempts();

        /** The first wait; each later one doubles, with jitter. */
        @WithDefault("200ms")
        java.time.Duration initialBackoff();

        @WithDefault("10s")
        java.time.Duration maxBackoff();

        /** A provider's Retry-After is honoured up to this; longer ones end the call as retriable for the engine. */
        @WithDefault("60s")
        java.time.Duration maxRetryAfter();
    }
}
