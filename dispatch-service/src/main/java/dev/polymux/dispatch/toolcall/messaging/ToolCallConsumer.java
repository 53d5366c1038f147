package dev.polymux.dispatch.toolcall.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import dev.polymux.common.event.CloudEvent;
import dev.polymux.dispatch.config.DispatchConfig;
import dev.polymux.dispatch.throttle.service.Throttles;
import dev.polymux.dispatch.toolcall.CallLog;
import dev.polymux.dispatch.toolcall.service.DispatchMetrics;
import dev.polymux.dispatch.toolcall.service.DispatchProgress;
import dev.polymux.dispatch.toolcall.service.ToolCallExecutor;
import dev.polymux.dispatch.toolcall.service.ToolCallReader;
import dev.polymux.dispatch.toolcall.service.ToolResults;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * polymux.tool-calls.v1 in, exactly one result per call out, and no call waits for another. One thread owns the Kafka
 * consumer: it polls, starts each call as soon as the bounds allow (calls wait on timers and sockets, not threads), and
 * hands finished calls to {@link ResultTransactions}, which publishes their results and commits the offsets in one
 * transaction every few milliseconds while polling goes on. Per partition the committed offset is the lowest whose
 * call is not committed, and the calls done above it are recorded in the commit's metadata ({@link OffsetLedger}):
 * after a crash or a rebalance, the replica that takes the partition skips them, so none runs again and none gets a
 * second result. What a crash can run again: the calls that were running, or done but not committed (a few ms).
 * <p>
 * Backpressure is per partition and per replica ({@code polymux.dispatch.calls.max-in-flight*}): at the bound the
 * partition (or all of them) is paused, and resumed when commits bring it under. Not SmallRye Reactive Messaging for
 * this channel: its Kafka connector acknowledges in order and commits a transaction per polled batch, and it cannot
 * pause one partition or write offset metadata; the other channels of the service stay on it.
 * <p>
 * One record must never stop the others: every record written is sized before it is sent (see {@link ResultRecords}).
 * When a commit fails anyway, nothing of it is visible, and the outcomes stay here for the next one; when the broker
 * refused a record as too large, the budget of the refused records is halved and they are retried alone, so the one
 * that does not fit is replaced and the rest go through.
 */
@ApplicationScoped
public class ToolCallConsumer {

    private static final Logger LOG = Logger.getLogger(ToolCallConsumer.class);
    private static final CallLog CALL_LOG = CallLog.of(ToolCallConsumer.class);
    /**
     * Halving stops here: a stand-in result or a cut DLQ copy is about a kilobyte. Twice the producer's batch.size (16
     * KiB), so that a record the broker keeps refusing at this budget is larger than a batch and always sent in one of
     * its own: the results topics must allow records of 32 KiB (Kafka's default is 1 MiB). Below batch.size the producer
     * splits a refused batch of small records into the same batch again until it expires (KAFKA-8350), holding back the
     * whole transaction.
     */
    private static final int SMALLEST_BUDGET = 32 * 1024;
    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    /** One assigned partition: its ledger, the calls taken from it that have not started, run, or are waiting to commit. */
    private static final class PartitionWork {
        final TopicPartition partition;
        final OffsetLedger ledger;
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> queued = new ArrayDeque<>();
        final Map<Long, Cancellable> running = new HashMap<>();
        final List<CallOutcome> ready = new ArrayList<>();
        /** When each call not committed yet was taken (System.nanoTime), oldest first: what health watches. */
        final LinkedHashMap<Long, Long> takenAt = new LinkedHashMap<>();
        /** The commit point last committed or in the transaction being committed. */
        OffsetAndMetadata committed;
        boolean paused;

        PartitionWork(TopicPartition partition, OffsetLedger ledger, OffsetAndMetadata committed) {
            this.partition = partition;
            this.ledger = ledger;
            this.committed = committed;
        }
    }

    /** A call that ended, on whatever thread it ended, for the poll thread to take. */
    private record Finished(PartitionWork work, long offset, CallOutcome outcome) {
    }

    private final ToolCallReader reader;
    private final ToolCallExecutor executor;
    private final ToolResults results;
    private final ResultRecords records;
    private final DispatchMetrics metrics;
    private final DispatchProgress progress;
    private final Throttles throttles;
    private final DispatchConfig config;
    private final DispatchConfig.Calls calls;
    private final Map<String, Object> kafka;
    private final MeterRegistry meters;

    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    // Poll thread only, from here on.
    private final Map<TopicPartition, PartitionWork> partitions = new LinkedHashMap<>();
    /** Calls started whose end the poll thread has not taken in yet. */
    private int running;
    private CompletableFuture<ResultTransactions.Result> committing;
    private long lastCommitStarted;
    private long commitsPausedUntil;
    private int failedCommitsInARow;
    /** Outcomes of a transaction the broker refused as too large are retried one per transaction, in turns with the rest. */
    private boolean suspectsTurn;
    private long suspectsPausedUntil;
    private int failedSuspectsInARow;

    private volatile boolean stopping;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private ResultTransactions transactions;

    public ToolCallConsumer(ToolCallReader reader, ToolCallExecutor executor, ToolResults results, ResultRecords records, DispatchMetrics metrics,
            DispatchProgress progress, Throttles throttles, DispatchConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            MeterRegistry meters) {
        this.reader = reader;
        this.executor = executor;
        this.results = results;
        this.records = records;
        this.metrics = metrics;
        this.progress = progress;
        this.throttles = throttles;
        this.config = config;
        this.calls = config.calls();
        this.kafka = kafka;
        this.meters = meters;
        if (calls.maxInFlightPerPartition() < 1 || calls.maxInFlightPerPartition() > 256) {
            throw new IllegalArgumentException("polymux.dispatch.calls.max-in-flight-per-partition must be 1 to 256 (the commit's offset"
                    + " metadata lists a partition's incomplete calls and must stay under the broker's offset.metadata.max.bytes), not "
                    + calls.maxInFlightPerPartition());
        }
    }

    void start(@Observes StartupEvent startup) {
        transactions = new ResultTransactions(kafka, calls.transactionalId(), calls.transactionTimeout(), records);
        thread = Thread.ofPlatform().name("dispatch-poll").start(this::run);
    }

    /**
     * SIGTERM: no new call starts; running calls may finish and commit within the drain timeout; the rest (and whatever
     * was not started) are left to the replica that takes the partition.
     */
    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
        if (thread == null) {
            return;
        }
        try {
            thread.join(calls.drainTimeout().plusSeconds(5));
            if (thread.isAlive() && consumer != null) {
                consumer.wakeup();
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transactions.close();
    }

    private void run() {
        long drainUntil = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> created = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()); KafkaClientMetrics clientMetrics = new KafkaClientMetrics(created)) {
            consumer = created;
            clientMetrics.bindTo(meters);
            // Fence a former self first: its open transaction is aborted now, so the committed offsets read at assignment
            // are not held until that transaction times out.
            while (!stopping && !transactions.ready()) {
                Thread.sleep(1000);
            }
            consumer.subscribe(List.of(calls.topic()), new Rebalance());
            while (true) {
                if (stopping && drainUntil == Long.MAX_VALUE) {
                    drainUntil = System.nanoTime() + calls.drainTimeout().toNanos();
                }
                if (stopping && (running == 0 || System.nanoTime() > drainUntil)) {
                    break;
                }
                take(consumer.poll(running > 0 || committing != null || incomplete() > 0 ? calls.commitInterval() : IDLE_POLL));
                collectFinished();
                startQueued();
                commitIfDue(false);
                adjustPauses();
                reportProgress();
            }
            finishCommitting();
            for (int tries = 0; tries < 5 && partitions.values().stream().anyMatch(work -> !work.ready.isEmpty()); tries++) {
                commitIfDue(true);
            }
            if (running > 0) {
                LOG.warnf("Stopping with %d tool calls still running: the replica that takes their partitions runs them again", running);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            LOG.warn("The dispatcher stopped before its running calls finished: the replica that takes their partitions runs them again");
        } catch (RuntimeException e) {
            // By class and place, as the executor logs its faults: a message could quote a record's contents.
            LOG.errorf("The tool-call consumer stopped: %s at %s", e.getClass().getName(),
                    e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?");
            progress.failed(); // health reports DOWN: a replica that takes no calls must be restarted
        } finally {
            partitions.values().forEach(work -> work.running.values().forEach(Cancellable::cancel));
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, calls.groupId());
        // Static membership under the replica's stable name: a restarted replica takes its partitions back at once.
        config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, calls.transactionalId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "dispatch-calls-" + calls.transactionalId());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // an engine's aborted call is never run
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // offsets go with the results' transactions
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Cooperative: a rebalance moves only the partitions that change owner; the others keep running.
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) calls.sessionTimeout().toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1000, calls.sessionTimeout().toMillis() / 5));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return config;
    }

    private void take(Iterable<ConsumerRecord<byte[], byte[]>> polled) {
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            PartitionWork work = partitions.get(new TopicPartition(record.topic(), record.partition()));
            if (work == null || !work.ledger.received(record.offset())) {
                continue; // not ours any more, or done before the last commit: its result is on the topic
            }
            work.takenAt.put(record.offset(), System.nanoTime());
            work.queued.add(record);
        }
    }

    /** Starts queued calls, partition by partition in turn, while the replica has room. */
    private void startQueued() {
        if (stopping) {
            return;
        }
        boolean started = true;
        while (started && running < calls.maxInFlight()) {
            started = false;
            for (PartitionWork work : partitions.values()) {
                ConsumerRecord<byte[], byte[]> record = work.queued.poll();
                if (record != null) {
                    start(work, record);
                    started = true;
                    if (running >= calls.maxInFlight()) {
                        return;
                    }
                }
            }
        }
    }

    private void start(PartitionWork work, ConsumerRecord<byte[], byte[]> record) {
        Instant receivedAt = Instant.now();
        running++;
        long offset = record.offset();
        switch (reader.read(record.value())) {
            case ToolCallReader.Valid valid -> {
                String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                // A call that ends at once is still taken in later, by collectFinished on this thread, after this put.
                work.running.put(offset, executor.execute(valid.call(), receivedAt, key).subscribe().with(
                        executed -> finished.add(new Finished(work, offset, outcome(record, receivedAt, executed))),
                        failure -> finished.add(new Finished(work, offset, unexpected(record, receivedAt, valid, failure)))));
            }
            case ToolCallReader.Poison poison -> {
                LOG.warnf("Poison tool call at %s-%d@%d (%s%s): sent to the DLQ", record.topic(), record.partition(), offset, poison.reason(),
                        poison.callId().map(id -> ", call " + id).orElse(""));
                CloudEvent result = poison.callId().isPresent() ? results.invalidEvent(poison, receivedAt) : null;
                finished.add(new Finished(work, offset, CallOutcome.poison(record, receivedAt, result, poison, config.maxRecordBytes())));
            }
        }
    }

    private CallOutcome outcome(ConsumerRecord<byte[], byte[]> record, Instant receivedAt, ToolCallExecutor.Executed executed) {
        boolean misrouted = executed.misrouted();
        return new CallOutcome(record, receivedAt, executed.result(), misrouted ? "key-not-connection" : null,
                misrouted ? "The record's key is neither the call's installation id nor tenantId/pluginId/connectionKey" : null,
                executed.connector(), executed.tool(), executed.outcome(), executed.took(), config.maxRecordBytes());
    }

    /** The executor never fails; should it anyway, the call still gets its one (INTERNAL) result. */
    private CallOutcome unexpected(ConsumerRecord<byte[], byte[]> record, Instant receivedAt, ToolCallReader.Valid valid, Throwable failure) {
        CALL_LOG.errorf(valid.call(), null, "Call %s ended without a result (%s): answered INTERNAL", valid.call().callId(), failure.getClass().getName());
        ToolCallExecutor.Executed executed = executor.internalFailure(valid.call(), receivedAt);
        return outcome(record, receivedAt, executed);
    }

    private void collectFinished() {
        for (Finished done = finished.poll(); done != null; done = finished.poll()) {
            running--;
            if (partitions.get(done.work().partition) != done.work()) {
                continue; // the partition moved on; its new owner runs the call
            }
            done.work().running.remove(done.offset());
            done.work().ready.add(done.outcome());
        }
    }

    /**
     * Starts a transaction when results wait and the cadence allows (or {@code now}), after taking in how the last one
     * ended. One at a time: while one commits, results gather for the next.
     */
    private void commitIfDue(boolean now) {
        if (committing != null) {
            if (!committing.isDone() && !now) {
                return;
            }
            finishCommitting();
        }
        long at = System.nanoTime();
        if (!now && at < commitsPausedUntil) {
            return;
        }
        List<CallOutcome> outcomes = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        boolean due = now || at - lastCommitStarted >= calls.commitInterval().toNanos();
        int waiting = partitions.values().stream().mapToInt(work -> work.ready.size()).sum();
        if (!due && waiting < calls.commitMaxResults()) {
            return;
        }
        // A suspect (its record was refused as too large) goes alone, so that it cannot stop the others' commits; the
        // others go without it. Turn by turn while there are suspects.
        // The suspect tried alone longest ago: one that keeps failing must not keep the others (of any partition) waiting.
        Optional<CallOutcome> oldestSuspect = partitions.values().stream().flatMap(work -> work.ready.stream())
                .filter(outcome -> outcome.suspect).min(Comparator.comparingLong(outcome -> outcome.triedAloneAt));
        boolean suspectAlone = oldestSuspect.isPresent() && (suspectsTurn || now) && at >= suspectsPausedUntil;
        suspectsTurn = !suspectsTurn;
        CallOutcome alone = suspectAlone ? oldestSuspect.get() : null;
        if (alone != null) {
            alone.triedAloneAt = at;
        }
        for (PartitionWork work : partitions.values()) {
            List<CallOutcome> taken = new ArrayList<>();
            List<CallOutcome> left = new ArrayList<>();
            for (CallOutcome outcome : work.ready) {
                boolean take = suspectAlone ? outcome == alone
                        : !outcome.suspect && outcomes.size() + taken.size() < calls.commitMaxResults();
                (take ? taken : left).add(outcome);
            }
            work.ready.clear();
            work.ready.addAll(left);
            taken.forEach(outcome -> work.ledger.done(outcome.record.offset()));
            outcomes.addAll(taken);
            Optional<OffsetAndMetadata> point = work.ledger.commitPoint();
            if (point.isPresent() && !point.get().equals(work.committed)) {
                offsets.put(work.partition, point.get());
            }
        }
        if (outcomes.isEmpty() && offsets.isEmpty()) {
            return;
        }
        lastCommitStarted = at;
        committing = transactions.commitAsync(new ResultTransactions.Commit(outcomes, offsets, consumer.groupMetadata()));
        if (now) {
            finishCommitting();
        }
    }

    /** Waits for the transaction in flight, if any, and takes in how it ended. */
    private void finishCommitting() {
        if (committing == null) {
            return;
        }
        ResultTransactions.Result result = committing.join();
        committing = null;
        ResultTransactions.Commit commit = result.commit();
        boolean ofSuspect = commit.outcomes().size() == 1 && commit.outcomes().getFirst().suspect;
        if (result.committed()) {
            failedCommitsInARow = 0;
            if (ofSuspect) {
                failedSuspectsInARow = 0;
            }
            commit.offsets().forEach((partition, point) -> {
                PartitionWork work = partitions.get(partition);
                if (work != null) {
                    work.committed = point;
                }
            });
            for (CallOutcome outcome : commit.outcomes()) {
                PartitionWork work = workOf(outcome);
                if (work != null) {
                    work.takenAt.remove(outcome.record.offset());
                }
            }
            progress.committed();
            metrics.batchCommitted(commit.outcomes().size(), result.nanos());
            result.rendered().forEach(rendered -> rendered.onCommitted().run());
            return;
        }
        // Aborted: nothing of it is visible. The outcomes go back to their partitions (if still ours) for the next try.
        boolean tooLarge = result.refusedAsTooLarge();
        // Only the outcomes whose own records were refused become suspects; when the producer did not say whose, all do.
        Set<CallOutcome> refused = result.refused().isEmpty() ? Set.copyOf(commit.outcomes()) : result.refused();
        for (CallOutcome outcome : commit.outcomes()) {
            PartitionWork work = workOf(outcome);
            if (work == null) {
                continue; // moved on: its new owner runs the call again
            }
            if (tooLarge && refused.contains(outcome)) {
                outcome.budget = Math.max(SMALLEST_BUDGET, outcome.budget / 2);
                outcome.suspect = true;
            }
            work.ledger.undone(outcome.record.offset());
            work.ready.add(outcome);
        }
        if (ofSuspect && tooLarge) {
            // Only this one does not fit: it waits, growing, and nobody else does.
            failedSuspectsInARow++;
            suspectsPausedUntil = System.nanoTime() + backoff(failedSuspectsInARow);
            LOG.warnf("The result of %s still does not fit the broker's limit (now at most %d bytes); it is tried again alone",
                    commit.outcomes().getFirst().position(), commit.outcomes().getFirst().budget);
            return;
        }
        if (tooLarge) {
            LOG.warnf("The broker refused %d record(s) of a transaction of %d results as too large: each is tried again in a"
                    + " transaction of its own (at most %d bytes), the other results go on without them", refused.size(),
                    commit.outcomes().size(), refused.stream().mapToInt(outcome -> outcome.budget).min().orElse(0));
            return;
        }
        failedCommitsInARow++;
        LOG.warnf("A transaction of %d tool-call results was not committed (%s); they are published with a later one",
                commit.outcomes().size(), result.failure().getClass().getSimpleName());
        commitsPausedUntil = System.nanoTime() + backoff(failedCommitsInARow);
    }

    /** The assigned partition the outcome's call came from; null when the partition moved on. */
    private PartitionWork workOf(CallOutcome outcome) {
        return partitions.get(new TopicPartition(outcome.record.topic(), outcome.record.partition()));
    }

    /** A commit that keeps failing must not spin: 100 ms after the first failure, doubling, at most 5 s (in nanos). */
    private static long backoff(int failuresInARow) {
        return Duration.ofMillis(Math.min(5_000, 100L << Math.min(failuresInARow - 1, 6))).toNanos();
    }

    /** A partition is paused while it (or the replica) is at its bound of calls not committed, or while stopping. */
    private void adjustPauses() {
        boolean replicaFull = incomplete() >= calls.maxInFlight();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (PartitionWork work : partitions.values()) {
            boolean full = stopping || replicaFull || work.ledger.takenCount() >= calls.maxInFlightPerPartition();
            if (full && !work.paused) {
                pause.add(work.partition);
            } else if (!full && work.paused) {
                resume.add(work.partition);
            }
            work.paused = full;
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /** Runs inside poll(), on the poll thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            // read_committed: waits for offsets of a transaction still open (a former owner's) to be resolved.
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned));
            for (TopicPartition partition : assigned) {
                OffsetAndMetadata point = committed.get(partition);
                if (point != null && !point.metadata().isEmpty() && OffsetLedger.decode(point.metadata()).isEmpty()) {
                    LOG.warnf("The committed offset of %s carries metadata that is not the dispatcher's: calls done above it may run again",
                            partition);
                }
                partitions.put(partition, new PartitionWork(partition, OffsetLedger.resumingFrom(point), point));
            }
            shareProviderLimits();
            LOG.infof("Tool-call partitions assigned: %s (now %d)", assigned, partitions.size());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            // Commit what is done while the partitions are still ours; what still runs is left to the next owner.
            commitIfDue(true);
            drop(revoked, "revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            finishCommitting();
            drop(lost, "lost");
        }

        private void drop(Collection<TopicPartition> gone, String how) {
            int dropped = 0;
            for (TopicPartition partition : gone) {
                PartitionWork work = partitions.remove(partition);
                if (work != null) {
                    work.running.values().forEach(Cancellable::cancel);
                    dropped += work.running.size();
                }
            }
            shareProviderLimits();
            LOG.infof("Tool-call partitions %s: %s (%d running calls left to the next owner)", how, gone, dropped);
        }
    }

    /** Health watches the oldest call taken and not committed: one that waits past stall-after means no progress. */
    private void reportProgress() {
        long oldest = Long.MAX_VALUE;
        for (PartitionWork work : partitions.values()) {
            if (!work.takenAt.isEmpty()) {
                long taken = work.takenAt.values().iterator().next();
                oldest = oldest == Long.MAX_VALUE || taken - oldest < 0 ? taken : oldest;
            }
        }
        progress.oldestWaiting(oldest == Long.MAX_VALUE ? null : Duration.ofNanos(System.nanoTime() - oldest));
    }

    /** Calls taken from Kafka and not committed yet, on all partitions. */
    private int incomplete() {
        int count = 0;
        for (PartitionWork work : partitions.values()) {
            count += work.ledger.takenCount();
        }
        return count;
    }

    private void shareProviderLimits() {
        int total = consumer.partitionsFor(calls.topic()).size();
        throttles.share(partitions.size(), total);
    }
}
