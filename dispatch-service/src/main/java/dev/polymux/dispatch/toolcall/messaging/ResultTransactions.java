package dev.polymux.dispatch.toolcall.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * The replica's one transactional producer: each {@link Commit} publishes finished calls' results (and DLQ copies) and
 * commits the consumed offsets with their metadata in one Kafka transaction, so a read_committed reader sees a result
 * exactly when its call's offset is committed. Transactions run one at a time on a thread of their own, so the poll
 * loop keeps taking and starting calls while one commits. The producer is created on first use (initTransactions
 * fences a former incarnation with the same transactional id and aborts what it left open) and again after a fatal
 * error (fenced, out of sequence, not authorized).
 */
final class ResultTransactions implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ResultTransactions.class);

    /** Results to publish and the offsets (with metadata) to commit with them. */
    record Commit(List<CallOutcome> outcomes, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
    }

    /**
     * How a commit ended: committed (with what to count now), or aborted with its cause and the outcomes whose own
     * records the broker refused as too large (the others' records were fine and are only in an aborted transaction).
     */
    record Result(Commit commit, List<ResultRecords.Rendered> rendered, Throwable failure, Set<CallOutcome> refused, long nanos) {
        boolean committed() {
            return failure == null;
        }

        boolean refusedAsTooLarge() {
            for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause instanceof RecordTooLargeException) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Map<String, Object> config;
    private final ResultRecords records;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("dispatch-commit").daemon().factory());
    private KafkaProducer<byte[], byte[]> producer;

    ResultTransactions(Map<String, Object> kafka, String transactionalId, Duration transactionTimeout, ResultRecords records) {
        this.records = records;
        this.config = new HashMap<>(kafka);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "dispatch-results-" + transactionalId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // A replica that died holding a transaction blocks read_committed readers of its partitions at most this long.
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
        // commitTransaction flushes whatever waits: lingering until then sends a transaction's results to a partition in
        // few requests instead of one per result. batch.size stays the default (16 KiB) on purpose: the producer splits a
        // batch the broker refuses as too large into batches of batch.size, so with a large one a big result and a small
        // one would be split into the same refused batch again, for ever, instead of failing as RecordTooLarge.
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1000);
    }

    /**
     * Creates the producer now (initTransactions: fences a former incarnation and aborts its open transaction). False,
     * with the reason logged, when the broker could not be reached; the caller tries again.
     */
    boolean ready() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                producer();
                return true;
            } catch (KafkaException e) {
                LOG.warnf("The results producer could not start (%s); trying again", e.getClass().getSimpleName());
                return false;
            }
        }, thread).join();
    }

    CompletableFuture<Result> commitAsync(Commit commit) {
        return CompletableFuture.supplyAsync(() -> commit(commit), thread);
    }

    private Result commit(Commit commit) {
        long started = System.nanoTime();
        List<ResultRecords.Rendered> rendered = new ArrayList<>();
        // Filled by the send callbacks (the producer's thread), all of which have run when commitTransaction returns or throws.
        Set<CallOutcome> refused = ConcurrentHashMap.newKeySet();
        try {
            commit.outcomes().forEach(outcome -> rendered.add(records.render(outcome)));
            KafkaProducer<byte[], byte[]> open = producer();
            open.beginTransaction();
            for (int i = 0; i < rendered.size(); i++) {
                CallOutcome outcome = commit.outcomes().get(i);
                for (ProducerRecord<byte[], byte[]> record : rendered.get(i).records()) {
                    open.send(record, (metadata, failure) -> {
                        if (failure instanceof RecordTooLargeException) {
                            refused.add(outcome);
                        }
                    });
                }
            }
            if (!commit.offsets().isEmpty()) {
                open.sendOffsetsToTransaction(commit.offsets(), commit.group());
            }
            open.commitTransaction();
            return new Result(commit, rendered, null, Set.of(), System.nanoTime() - started);
        } catch (ProducerFencedException | OutOfOrderSequenceException | UnsupportedVersionException | AuthorizationException
                | InvalidProducerEpochException fatal) {
            LOG.warnf("The results producer cannot go on (%s); a new one is created for the next commit", fatal.getClass().getSimpleName());
            closeProducer();
            return new Result(commit, rendered, fatal, Set.copyOf(refused), System.nanoTime() - started);
        } catch (KafkaException | IllegalStateException failure) {
            abort();
            return new Result(commit, rendered, failure, Set.copyOf(refused), System.nanoTime() - started);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            try {
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    private void abort() {
        if (producer == null) {
            return;
        }
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warnf("Aborting a transaction failed (%s); a new producer is created for the next commit", e.getClass().getSimpleName());
            closeProducer();
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("Closing the results producer: %s", e.getClass().getSimpleName());
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        CompletableFuture.runAsync(this::closeProducer, thread).join();
        thread.shutdown();
    }
}
