package dev.polymux.persistence.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "polymux.outbox")
public interface OutboxConfig {

    /** Whether this replica relays outbox events to Kafka. Env: POLYMUX_OUTBOX_RELAY_ENABLED. */
    @WithDefault("true")
    boolean relayEnabled();

    /** How often the relay looks for new events (ISO-8601; the scheduler's floor is 1 s). Env: POLYMUX_OUTBOX_POLL_INTERVAL. */
    @WithDefault("PT1S")
    String pollInterval();

    /** Events claimed per relay round. Env: POLYMUX_OUTBOX_BATCH_SIZE. */
    @WithDefault("100")
    int batchSize();

    /** How long published events are kept for inspection. Env: POLYMUX_OUTBOX_RETENTION. */
    @WithDefault("P1D")
    Duration retention();
}
