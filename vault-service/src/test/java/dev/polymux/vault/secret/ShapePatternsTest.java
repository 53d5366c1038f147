package dev.polymux.vault.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.problem.Problem;
import dev.polymux.vault.secret.service.ShapeValidator;

/** Shape patterns run on RE2/J; one Polymux cannot run is a clear problem, never a stall or an error 500. */
class ShapePatternsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ShapeValidator validator = new ShapeValidator();

    @Test
    void theIssuesPatternRefusesASixteenKibValueInMilliseconds() {
        List<Problem.InvalidParam> problems = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> validate(
                "{\"kind\":\"single\",\"pattern\":\"(.*a){20}$\"}", "{\"value\":\"" + "a".repeat(16_383) + "!\"}"));
        assertEquals(List.of(new Problem.InvalidParam("/value", "does not have the form this connection expects")), problems);
        assertEquals(List.of(), validate("{\"kind\":\"single\",\"pattern\":\"(.*a){20}$\"}", "{\"value\":\"" + "a".repeat(40) + "\"}"));
    }

    @Test
    void aPatternPolymuxCannotRunIsNamedAsTheShapesFault() {
        for (String pattern : List.of("^(?=rk_)", "(a)\\\\1", "((((a{1000}){1000}){1000}){1000})", "x".repeat(1001))) {
            List<Problem.InvalidParam> problems = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> validate(
                    "{\"kind\":\"tuple\",\"fields\":[{\"name\":\"a\",\"label\":\"A\",\"pattern\":\"" + pattern + "\"},{\"name\":\"b\",\"label\":\"B\"}]}",
                    "{\"a\":\"rk_1\",\"b\":\"x\"}"));
            assertEquals(1, problems.size(), pattern + ": " + problems);
            assertEquals("/a", problems.get(0).pointer());
            assertEquals(true, problems.get(0).message().startsWith("cannot be checked: this connection's pattern "), problems.get(0).message());
        }
    }

    private List<Problem.InvalidParam> validate(String shape, String values) {
        try {
            JsonNode parsedShape = JSON.readTree(shape);
            return validator.validate(parsedShape, JSON.readTree(values));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
