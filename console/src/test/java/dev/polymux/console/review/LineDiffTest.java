package dev.polymux.console.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.polymux.console.review.service.LineDiff;
import dev.polymux.console.review.service.LineDiff.Change;

class LineDiffTest {

    @Test
    void keepsCommonLinesAndMarksWhatWasAddedAndRemoved() {
        List<LineDiff.Line> diff = LineDiff.of(List.of("{", "  \"version\" : \"1.0.0\",", "  \"label\" : \"Keys\"", "}"),
                List.of("{", "  \"version\" : \"1.1.0\",", "  \"label\" : \"Keys\",", "  \"request\" : { }", "}"));
        assertEquals(List.of(Change.SAME, Change.REMOVED, Change.REMOVED, Change.ADDED, Change.ADDED, Change.ADDED, Change.SAME),
                diff.stream().map(LineDiff.Line::change).toList(), diff.toString());
        assertEquals(new LineDiff.Line(Change.SAME, 4, 5, "}"), diff.get(6), "line numbers on both sides");
        assertEquals(new LineDiff.Line(Change.REMOVED, 2, 0, "  \"version\" : \"1.0.0\","), diff.get(1));
        assertTrue(LineDiff.changed(diff));
    }

    @Test
    void theSameManifestHasNoChange() {
        List<LineDiff.Line> diff = LineDiff.of(List.of("{", "}"), List.of("{", "}"));
        assertFalse(LineDiff.changed(diff));
        assertEquals(2, diff.size());
    }

    @Test
    void tooLongToCompareIsNoDiff() {
        assertNull(LineDiff.of(Collections.nCopies(LineDiff.MAX_LINES + 1, "x"), List.of("x")));
    }
}
