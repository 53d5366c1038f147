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
}
