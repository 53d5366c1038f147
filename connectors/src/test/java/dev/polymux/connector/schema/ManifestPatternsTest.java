package dev.polymux.connector.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.google.re2j.Pattern;

class ManifestPatternsTest {

    private static final String SIXTEEN_KIB_OF_A_AND_A_BANG = "a".repeat(16_383) + "!";

    @Test
    void theCatastrophicPatternOfTheIssueMatchesSixteenKibInLinearTime() {
        Pattern pattern = ManifestPatterns.compile("(.*a){20}$");
        boolean found = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long start = System.nanoTime();
            boolean result = pattern.matcher(SIXTEEN_KIB_OF_A_AND_A_BANG).find();
            System.out.printf("(.*a){20}$ against 16 KiB: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            return result;
        });
        assertFalse(found);
        assertTrue(pattern.matcher("a".repeat(20)).find());
    }

    @Test
    void backreferencesAndLookaroundAreRefusedWithoutEchoingThePattern() {
        for (String regex : new String[] {"(a)\\1", "foo(?=bar)", "(?<!x)y", "(?!secret-value)x"}) {
            Optional<String> problem = ManifestPatterns.problem(regex);
            assertTrue(problem.isPresent(), regex);
            assertTrue(problem.get().startsWith("is not a regular expression Polymux runs (RE2 syntax"), problem.get());
            assertFalse(problem.get().contains("secret-value"), problem.get());
        }
        assertTrue(ManifestPatterns.problem("[unclosed").isPresent());
    }

    @Test
    void patternsAreCappedInLength() {
        assertEquals(Optional.of("is longer than 1000 characters"), ManifestPatterns.problem("a".repeat(1001)));
        assertEquals(Optional.empty(), ManifestPatterns.problem("a".repeat(500)));
    }

    @Test
    void nestedCountedRepetitionIsRefusedBeforeAnythingIsCompiled() {
        // RE2/J itself would run out of heap compiling this one.
        Optional<String> problem = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> ManifestPatterns.problem("((((a{1000}){1000}){1000}){1000})"));
        assertTrue(problem.orElseThrow().startsWith("is too complex"), problem.get());
        assertTrue(ManifestPatterns.problem("[a-z]{1,1000}x").orElseThrow().startsWith("is too complex"));
        assertTrue(ManifestPatterns.problem("(.*a){1000}$").orElseThrow().startsWith("is too complex"));
    }

    @Test
    void everydayPatternsPass() {
        for (String regex : new String[] {"^rk_(live|test)_[A-Za-z0-9]+$", "^[a-z][a-z0-9-]{1,62}$", "^[0-9]+\\.[0-9]+\\.[0-9]+$",
                "^[^\\r\\n]*$", "^\\p{L}[\\p{L} '-]{0,99}$", "^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$", "^sk-[A-Za-z0-9_-]{20,200}$",
                "^[[:alnum:]]+$", "\\{literal}"}) {
            assertEquals(Optional.empty(), ManifestPatterns.problem(regex), regex);
        }
    }

    @Test
    void unicodeEscapesOfJsonSchemaPatternsAreUnderstood() {
        Pattern topic = ManifestPatterns.compile("^[^#+\\u0000]+$");
        assertTrue(topic.matcher("sensors/kitchen").matches());
        assertFalse(topic.matcher("bad\u0000topic").matches());
        assertFalse(topic.matcher("a/#").matches());
        // An escaped backslash followed by "u0041" is a backslash and the letters, not an escape.
        assertTrue(ManifestPatterns.compile("^\\\\u0041$").matcher("\\u0041").matches());
    }

    @Test
    void theSizeEstimateMultipliesNestedRepetitions() {
        assertEquals(7, ManifestPatterns.estimatedSize("(ab){3}c"));
        assertEquals(1_000_000, ManifestPatterns.estimatedSize("(a{1000}){1000}"));
        assertEquals(3, ManifestPatterns.estimatedSize("[a-z\\]]x\\d"));
    }

    @Test
    void anyPatternThatPassesMatchesSixteenKibQuickly() {
        // Near the limit: the slowest kind of pattern that is still accepted.
        Pattern pattern = ManifestPatterns.compile("(\\w+\\s?){1,60}z");
        long took = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long start = System.nanoTime();
            pattern.matcher(SIXTEEN_KIB_OF_A_AND_A_BANG).find();
            return (System.nanoTime() - start) / 1_000_000;
        });
        System.out.printf("a %d-instruction pattern against 16 KiB: %d ms%n", pattern.programSize(), took);
        assertThrows(ManifestPatterns.UnsafePatternException.class, () -> ManifestPatterns.compile("(\\w+\\s?){1,500}z"));
    }
}
