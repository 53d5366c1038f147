package dev.polymux.dispatch.toolcall.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

/**
 * The commit of a partition whose calls finish out of order: the offset is the lowest call not done, and the metadata
 * lets the next owner skip the calls done above it, so none runs twice.
 */
class OffsetLedgerTest {

    @Test
    void theCommittedOffsetIsTheLowestCallNotDoneAndTheNextOwnerSkipsTheDoneOnesAboveIt() {
        OffsetLedger ledger = OffsetLedger.resumingFrom(new OffsetAndMetadata(100, ""));
        for (long offset = 100; offset < 110; offset++) {
            assertTrue(ledger.received(offset));
        }
        // 100 is slow; 101..109 finish, except 105
        for (long offset = 101; offset < 110; offset++) {
            if (offset != 105) {
                ledger.done(offset);
            }
        }
        OffsetAndMetadata point = ledger.commitPoint().orElseThrow();
        assertEquals(100, point.offset());
        assertTrue(point.metadata().startsWith(OffsetLedger.PREFIX), point.metadata());

        // The next owner (after a crash or a rebalance) resumes at 100: 100 and 105 run, the others are skipped.
        OffsetLedger next = OffsetLedger.resumingFrom(point);
        List<Long> run = new ArrayList<>();
        for (long offset = 100; offset < 112; offset++) {
            if (next.received(offset)) {
                run.add(offset);
            }
        }
        assertEquals(List.of(100L, 105L, 110L, 111L), run);
        next.done(100);
        next.done(105);
        assertEquals(110, next.commitPoint().orElseThrow().offset(), "everything below 110 is done; 110 and 111 run");
        next.done(111);
        next.done(110);
        assertEquals(new OffsetAndMetadata(112, ""), next.commitPoint().orElseThrow(), "nothing incomplete: no metadata");
    }

    @Test
    void anAbortedTransactionPutsItsCallsBackAmongTheIncompleteOnes() {
        OffsetLedger ledger = OffsetLedger.resumingFrom(null);
        assertTrue(ledger.commitPoint().isEmpty(), "nothing to commit for a partition never committed and nothing received");
        ledger.received(7);
        ledger.received(8);
        ledger.done(7);
        ledger.done(8);
        assertEquals(new OffsetAndMetadata(9, ""), ledger.commitPoint().orElseThrow());
        ledger.undone(7);
        assertEquals(7, ledger.commitPoint().orElseThrow().offset());
        assertEquals(1, ledger.incompleteCount());
    }

    @Test
    void restoredCallsThatAreNeverDeliveredAgainDoNotHoldThePartitionBack() {
        OffsetLedger ledger = OffsetLedger.resumingFrom(new OffsetAndMetadata(10, ""));
        ledger.received(10);
        ledger.received(11);
        ledger.received(12);
        ledger.done(12);
        OffsetAndMetadata point = ledger.commitPoint().orElseThrow(); // 10 and 11 incomplete, 12 done
        OffsetLedger next = OffsetLedger.resumingFrom(point);
        assertEquals(2, next.incompleteCount());
        assertEquals(0, next.takenCount(), "restored calls do not count toward the bounds until they come back: the"
                + " partition must not be paused before they are fetched");
        // 10 and 11 were deleted meanwhile (retention); the log now starts at 13.
        assertTrue(next.received(13));
        assertEquals(1, next.incompleteCount(), "only 13 is incomplete");
        next.done(13);
        assertEquals(new OffsetAndMetadata(14, ""), next.commitPoint().orElseThrow());
    }

    @Test
    void metadataThatIsNotOursOrDoesNotDecodeIsIgnoredRatherThanTrusted() {
        for (String metadata : List.of("", "something else", OffsetLedger.PREFIX + "!!!", OffsetLedger.PREFIX + "_w8B",
                OffsetLedger.PREFIX + "AQ")) {
            OffsetLedger ledger = OffsetLedger.resumingFrom(new OffsetAndMetadata(5, metadata));
            assertTrue(ledger.received(5), metadata);
            assertTrue(ledger.received(6), metadata);
        }
        assertTrue(OffsetLedger.decode(OffsetLedger.PREFIX + "AQ").isEmpty(), "no run: the committed offset itself would be done");
        assertTrue(OffsetLedger.decode(OffsetLedger.PREFIX + "AgEB").isEmpty(), "the first run does not start at the committed offset");
        assertTrue(OffsetLedger.decode(OffsetLedger.PREFIX + "AQAD").isEmpty(), "a run that ends past the highest offset");
        assertFalse(OffsetLedger.decode(OffsetLedger.PREFIX + "AgAB").isEmpty(), "distance 2, one run of one at the committed offset");
    }

    @Test
    void metadataClaimingMoreIncompleteCallsThanAReplicaCanHoldIsRejectedNotExpanded() {
        // A committed offset's metadata is anyone's to write who may commit for the group: 40 bytes must not make the
        // next owner build a set of two million offsets.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (long value : new long[] {5_000_000L, 0, 1_000_000L, 0, 1_000_000L}) {
            for (long rest = value; ; rest >>>= 7) {
                if ((rest & ~0x7FL) == 0) {
                    bytes.write((int) rest);
                    break;
                }
                bytes.write((int) ((rest & 0x7F) | 0x80));
            }
        }
        String metadata = OffsetLedger.PREFIX + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
        assertTrue(OffsetLedger.decode(metadata).isEmpty(), metadata);
        OffsetLedger ledger = OffsetLedger.resumingFrom(new OffsetAndMetadata(0, metadata));
        assertEquals(0, ledger.incompleteCount(), "ignored, not trusted");
        assertTrue(ledger.received(0));
    }

    @Test
    void theMetadataOfAFullPartitionFitsTheBrokersLimitWhateverTheOrderCallsFinishIn() {
        // The worst case at the bound: 256 calls not committed, none next to another, among calls done far apart,
        // and one poll's worth (500) taken at the end.
        OffsetLedger ledger = OffsetLedger.resumingFrom(new OffsetAndMetadata(1_000_000_000L, ""));
        long offset = 1_000_000_000L;
        for (int i = 0; i < 256; i++) {
            ledger.received(offset);
            ledger.received(offset + 1);
            ledger.done(offset + 1);
            offset += 3_000; // gaps (transaction markers, aborted records) between them
            ledger.received(offset);
            ledger.done(offset);
            offset++;
        }
        for (int i = 0; i < 500; i++) {
            ledger.received(offset++);
        }
        OffsetAndMetadata point = ledger.commitPoint().orElseThrow();
        assertTrue(point.metadata().length() < 4096, "offset.metadata.max.bytes is 4096 by default: " + point.metadata().length());
        OffsetLedger next = OffsetLedger.resumingFrom(point);
        assertEquals(756, next.incompleteCount(), "every incomplete call survives the round trip");
    }
}
