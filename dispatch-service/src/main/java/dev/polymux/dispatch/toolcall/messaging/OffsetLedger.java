package dev.polymux.dispatch.toolcall.messaging;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Where one partition of tool calls stands, for the commit that goes with a transaction of results. Calls finish in any
 * order, so the committed offset is the lowest one whose result is not committed yet, and the calls already done above
 * it are recorded in the commit's metadata: after a crash or a rebalance, whoever takes the partition resumes at the
 * committed offset and skips the records that the metadata says are done, so none runs again or gets a second result.
 * <p>
 * The metadata lists the <em>incomplete</em> offsets, not the done ones (as Confluent's Parallel Consumer does): they
 * are bounded by the calls a partition may hold at once, however far the done ones run ahead of a slow call. Format
 * {@code pmx1:} + base64url of unsigned varints: the distance from the committed offset to the highest offset seen,
 * then runs of incomplete offsets as (gap since the previous run's end, length). Everything between the committed
 * offset and the highest seen that is in no run is done. Offsets the broker never delivers (transaction markers,
 * aborted records) count as done; that is harmless, no record comes for them.
 * <p>
 * Not thread-safe: the consumer's poll thread owns it.
 */
final class OffsetLedger {

    static final String PREFIX = "pmx1:";
    /** A decoded ledger never expands more incomplete offsets than this: metadata that claims more is not ours. */
    private static final int MOST_RESTORED = 100_000;

    /** Received (or restored) offsets whose result is not in a committed, or committing, transaction. */
    private final TreeSet<Long> incomplete = new TreeSet<>();
    /** Restored from the last commit as incomplete, not received again yet. */
    private final TreeSet<Long> restored = new TreeSet<>();
    /**
     * The highest offset received, or done according to the restored metadata; the committed offset - 1 when only
     * that is known, and -1 for a partition never committed with nothing received yet.
     */
    private long highestSeen;

    private OffsetLedger(long highestSeen) {
        this.highestSeen = highestSeen;
    }

    /** The ledger of a partition just assigned, from its last commit (null: never committed). */
    static OffsetLedger resumingFrom(OffsetAndMetadata committed) {
        if (committed == null) {
            return new OffsetLedger(-1);
        }
        OffsetLedger ledger = new OffsetLedger(committed.offset() - 1);
        decode(committed.metadata()).ifPresent(state -> {
            ledger.highestSeen = committed.offset() + state.distanceToHighest();
            for (long[] run : state.runs()) {
                for (long offset = committed.offset() + run[0]; offset < committed.offset() + run[0] + run[1]; offset++) {
                    ledger.restored.add(offset);
                }
            }
        });
        return ledger;
    }

    /**
     * A record arrived. True: it must run. False: its result was committed before (the restored metadata says it is
     * done, or it is a second delivery of one this ledger holds), so it is skipped.
     */
    boolean received(long offset) {
        // Records come in offset order: a restored offset below this one will never be delivered again.
        while (!restored.isEmpty() && restored.first() < offset) {
            restored.pollFirst();
        }
        if (offset > highestSeen) {
            incomplete.add(offset);
            highestSeen = offset;
            return true;
        }
        if (restored.remove(offset)) {
            incomplete.add(offset);
            return true;
        }
        return false;
    }

    /** The call's result is in the transaction being committed. */
    void done(long offset) {
        incomplete.remove(offset);
    }

    /** That transaction was aborted: the result goes out with a later one. */
    void undone(long offset) {
        if (offset <= highestSeen) {
            incomplete.add(offset);
        }
    }

    /** Incomplete offsets: received calls not committed yet, and restored ones not received yet. */
    int incompleteCount() {
        return incomplete.size() + restored.size();
    }

    /**
     * Calls received and not committed yet: what the in-flight bounds count. Not the restored ones: they come back only
     * while the partition is polled, so counting them could pause it for good.
     */
    int takenCount() {
        return incomplete.size();
    }

    /** What to commit now; empty when nothing was ever received or committed for this partition. */
    Optional<OffsetAndMetadata> commitPoint() {
        Long lowest = lowestIncomplete();
        if (lowest == null && highestSeen < 0) {
            return Optional.empty();
        }
        long offset = lowest != null ? lowest : highestSeen + 1;
        if (lowest == null) {
            return Optional.of(new OffsetAndMetadata(offset, ""));
        }
        return Optional.of(new OffsetAndMetadata(offset, encode(offset)));
    }

    private Long lowestIncomplete() {
        if (incomplete.isEmpty()) {
            return restored.isEmpty() ? null : restored.first();
        }
        return restored.isEmpty() ? incomplete.first() : Long.valueOf(Math.min(incomplete.first(), restored.first()));
    }

    private String encode(long committed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, highestSeen - committed);
        TreeSet<Long> all = new TreeSet<>(incomplete);
        all.addAll(restored);
        long previousEnd = committed; // exclusive
        Iterator<Long> offsets = all.iterator();
        long start = offsets.next();
        long end = start + 1;
        while (offsets.hasNext()) {
            long next = offsets.next();
            if (next == end) {
                end++;
                continue;
            }
            varint(out, start - previousEnd);
            varint(out, end - start);
            previousEnd = end;
            start = next;
            end = next + 1;
        }
        varint(out, start - previousEnd);
        varint(out, end - start);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /** The distance to the highest offset seen, and runs as (offset from the committed one, length). */
    record Decoded(long distanceToHighest, java.util.List<long[]> runs) {
    }

    /** Empty for metadata that is not ours (another tool's, or none) or does not decode. */
    static Optional<Decoded> decode(String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length())));
            long distance = varint(in);
            java.util.List<long[]> runs = new java.util.ArrayList<>();
            long position = 0; // relative to the committed offset, exclusive end of the previous run
            long expanded = 0;
            while (in.hasRemaining()) {
                long start = position + varint(in);
                long length = varint(in);
                expanded += length;
                if (length <= 0 || start + length - 1 > distance || expanded > MOST_RESTORED) {
                    return Optional.empty();
                }
                runs.add(new long[] {start, length});
                position = start + length;
            }
            // The committed offset is the lowest incomplete one, so the first run starts there; anything else is not ours.
            return distance < 0 || runs.isEmpty() || runs.getFirst()[0] != 0 ? Optional.empty() : Optional.of(new Decoded(distance, runs));
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            return Optional.empty();
        }
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.write((int) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        out.write((int) rest);
    }

    private static long varint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
