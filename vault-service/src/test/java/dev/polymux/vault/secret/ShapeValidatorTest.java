package dev.polymux.vault.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.problem.Problem;
import dev.polymux.vault.secret.service.ShapeValidator;

class ShapeValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ShapeValidator validator = new ShapeValidator();

    private static final String SINGLE = "{\"kind\":\"single\",\"field\":\"value\",\"secret\":true,\"pattern\":\"^rk_(live|test)_[A-Za-z0-9]+$\",\"maxLength\":64}";
    private static final String PAIR = "{\"kind\":\"pair\"}";
    private static final String TUPLE = """
            {"kind":"tuple","fields":[{"name":"access_key","label":"Access key","secret":false},
             {"name":"secret_key","label":"Secret key","secret":true},{"name":"region","label":"Region","secret":false,"required":false}]}""";

    @Test
    void valuesThatFitTheirShapePass() {
        assertEquals(List.of(), validate(SINGLE, "{\"value\":\"rk_test_abc123\"}"));
        assertEquals(List.of(), validate(PAIR, "{\"username\":\"svc\",\"password\":\"p@ss\"}"));
        assertEquals(List.of(), validate(TUPLE, "{\"access_key\":\"AKIA1\",\"secret_key\":\"s3cr3t\"}"), "region is optional");
    }

    @Test
    void aMissingFieldIsNamed() {
        assertEquals(List.of(new Problem.InvalidParam("/password", "is required")), validate(PAIR, "{\"username\":\"svc\"}"));
        assertEquals(List.of(new Problem.InvalidParam("/secret_key", "is required")), validate(TUPLE, "{\"access_key\":\"AKIA1\",\"secret_key\":\"\"}"));
    }

    @Test
    void anExtraFieldIsRefused() {
        assertEquals(List.of(new Problem.InvalidParam("/token", "is not a field of this connection; expected [value]")),
                validate(SINGLE, "{\"value\":\"rk_test_abc\",\"token\":\"x\"}"));
    }

    @Test
    void aValueOfTheWrongTypeIsRefused() {
        assertEquals(List.of(new Problem.InvalidParam("/password", "must be a string")), validate(PAIR, "{\"username\":\"svc\",\"password\":12345}"));
        assertEquals(List.of(new Problem.InvalidParam("/", "must be an object of field names to values")), validate(PAIR, "[\"svc\",\"pw\"]"));
    }

    @Test
    void oversizeAndMalformedValuesAreRefusedWithoutEchoingThem() {
        List<Problem.InvalidParam> tooLong = validate(SINGLE, "{\"value\":\"rk_test_" + "a".repeat(100) + "\"}");
        assertEquals(List.of(new Problem.InvalidParam("/value", "is longer than 64 characters")), tooLong);
        List<Problem.InvalidParam> wrongForm = validate(SINGLE, "{\"value\":\"sk_live_not_a_restricted_key\"}");
        assertEquals(List.of(new Problem.InvalidParam("/value", "does not have the form this connection expects")), wrongForm);
        assertFalse(wrongForm.toString().contains("sk_live"));
        assertEquals(List.of(new Problem.InvalidParam("/secret_key", "is longer than 16384 characters")),
                validate(TUPLE, "{\"access_key\":\"a\",\"secret_key\":\"" + "x".repeat(16_385) + "\"}"));
    }

    private List<Problem.InvalidParam> validate(String shape, String values) {
        try {
            JsonNode shapeNode = JSON.readTree(shape);
            return validator.validate(shapeNode, JSON.readTree(values));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
