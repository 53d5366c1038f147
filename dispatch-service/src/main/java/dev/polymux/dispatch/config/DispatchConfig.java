package dev.polymux.dispatch.config;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

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

    /**
     * The longest a call may run, whatever its deadline says: a batch of calls commits when its last call ends, so one
     * far-off deadline must not hold the partition. Env: POLYMUX_DISPATCH_MAX_CALL_DURATION.
     */
    @WithDefault("120s")
    Duration maxCallDuration();

    /**
     * The largest Kafka record this service writes (a result, a DLQ copy), key and headers included, in bytes. A result
     * over it is replaced by an OUTPUT_TOO_LARGE failure and its call dead-lettered; a DLQ copy is cut to fit. Keep it
     * below the producer's max.request.size (1 MiB) and the topics' max.message.bytes: one record that the broker refuses
     * would abort its whole batch. Env: POLYMUX_DISPATCH_MAX_RECORD_BYTES.
     */
    @WithDefault("921600")
    int maxRecordBytes();

    Calls calls();

    Progress progress();

    Retry retry();

    Cache cache();

    OAuth oauth();

    Throttle throttle();

    /**
     * How tool calls are taken from Kafka and their results committed. Calls complete independently: the consumer keeps
     * polling while calls run and pauses a partition only at a bound below; results and offsets are committed in
     * transactions on a short cadence.
     */
    interface Calls {

        /** The topic tool calls are read from. */
        @WithDefault("polymux.tool-calls.v1")
        String topic();

        /** The consumer group every replica joins. */
        @WithDefault("dispatch-service")
        String groupId();

        /**
         * Unique per replica and stable across its restarts (the pod name): the producer's transactional id and the
         * consumer's static group member id, so a restarted replica fences its former self (aborting the transaction it
         * left open) and takes its partitions back at once. Env: POLYMUX_DISPATCH_TRANSACTIONAL_ID.
         */
        @WithDefault("dispatch-local")
        String transactionalId();

        /**
         * Calls taken from Kafka and not committed yet, per replica (running, waiting for a turn, or done and waiting for
         * the next commit): at this bound every partition is paused. Bounds memory. Env: POLYMUX_DISPATCH_CALLS_MAX_IN_FLIGHT.
         */
        @WithDefault("1000")
        int maxInFlight();

        /**
         * The same, per partition. Also bounds the offset metadata of a commit (the incomplete offsets are listed in it,
         * and a broker keeps at most offset.metadata.max.bytes, 4096 by default): at most 256.
         * Env: POLYMUX_DISPATCH_CALLS_MAX_IN_FLIGHT_PER_PARTITION.
         */
        @WithDefault("200")
        int maxInFlightPerPartition();

        /**
         * The longest a finished call's result waits for a transaction to begin; one transaction runs at a time, so under
         * load they follow each other as fast as the broker commits. Env: POLYMUX_DISPATCH_CALLS_COMMIT_INTERVAL.
         */
        @WithDefault("5ms")
        Duration commitInterval();

        /** Results per transaction at most. Env: POLYMUX_DISPATCH_CALLS_COMMIT_MAX_RESULTS. */
        @WithDefault("500")
        int commitMaxResults();

        /** A replica that died in a transaction blocks read_committed readers of its partitions at most this long. */
        @WithDefault("30s")
        Duration transactionTimeout();

        /** A replica gone for good hands its partitions on after this. */
        @WithDefault("15s")
        Duration sessionTimeout();

        /**
         * On SIGTERM: the longest running calls may take to finish and commit; the rest are left to the replica that takes
         * the partition. Keep it under Kubernetes' terminationGracePeriodSeconds.
         */
        @WithDefault("30s")
        Duration drainTimeout();
    }

    /** How long the dispatcher may hold polled calls without committing any before health reports it DOWN. */
    interface Progress {

        /**
         * No commit for this long while calls wait: liveness and readiness report DOWN, so Kubernetes restarts the
         * replica. Longer than max-call-duration plus a transaction. Env: POLYMUX_DISPATCH_PROGRESS_STALL_AFTER.
         */
        @WithDefault("180s")
        Duration stallAfter();
    }

    /** Retries of 429, 5xx and network errors, within the call's deadline. */
    interface Retry {

        /** Provider attempts per call at most, the first included. */
        @WithDefault("5")
        int maxAttempts();

        /** The first wait; each later one doubles, with jitter. */
        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();

        /** A provider's Retry-After is honoured up to this; longer ones end the call as retriable for the engine. */
        @WithDefault("60s")
        Duration maxRetryAfter();
    }

    /** What dispatch keeps in memory between calls, and for how long. */
    interface Cache {

        /** How long a resolved installation is kept; connection events drop it sooner. */
        @WithDefault("5m")
        Duration installationTtl();

        /**
         * How long a vault secret is kept (every vault read is audited: without a cache, one audit event per call).
         * Connection events (credentials stored or deleted, uninstall) drop it sooner. 0 turns the cache off.
         */
        @WithDefault("60s")
        Duration secretTtl();

        /** Entries per cache at most. */
        @WithDefault("10000")
        long maxEntries();
    }

    /** Access tokens of OAuth connections, from oauth-service. */
    interface OAuth {

        /**
         * How long an access token must still be valid when an attempt is sent to the provider. Checked before every
         * attempt, retries included: the cached token is used while it has this much left, otherwise oauth-service is
         * asked for one valid at least this long. Not the call's deadline: a token only has to be valid when the request
         * reaches the provider (a 401 refreshes once and retries). Keep it well under the shortest token lifetime of any
         * provider (5 s is the shortest supported). Env: POLYMUX_DISPATCH_OAUTH_MIN_TOKEN_VALIDITY.
         */
        @WithDefault("2s")
        Duration minTokenValidity();
    }

    /**
     * Concurrency and rate limits. A connector manifest's {@code limits} set its defaults; {@code providers.<connector>}
     * overrides them, and the values here apply where neither says anything.
     * Env: POLYMUX_DISPATCH_THROTTLE_PROVIDERS__GITHUB__CONCURRENCY_PER_PROVIDER=32.
     */
    interface Throttle {

        @WithDefault("16")
        int concurrencyPerInstallation();

        @WithDefault("256")
        int concurrencyPerProvider();

        /** 0: no rate limit. */
        @WithDefault("0")
        double requestsPerSecondPerInstallation();

        /** 0: no rate limit. */
        @WithDefault("0")
        double requestsPerSecondPerProvider();

        Map<String, ProviderLimits> providers();
    }

    /** Operator overrides for one connector (provider). */
    interface ProviderLimits {
        OptionalInt concurrencyPerInstallation();

        OptionalInt concurrencyPerProvider();

        OptionalDouble requestsPerSecondPerInstallation();

        OptionalDouble requestsPerSecondPerProvider();
    }
}
