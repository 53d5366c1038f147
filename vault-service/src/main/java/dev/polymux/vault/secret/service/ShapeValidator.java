package dev.polymux.vault.secret.service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.google.re2j.Pattern;

import dev.polymux.common.problem.Problem;

/**
 * Checks what an installer pasted against the connection's shape (connection-entry.schema.json, {@code $defs/shape}):
 * exactly the shape's field names, every required one, strings only, within size and pattern. Problems name the
 * field and the rule, never the value. Patterns run on RE2/J ({@link ShapePatterns}): linear in the value, so matching
 * on the event loop holds it for milliseconds at most, whatever pattern a plugin brought.
 */
@ApplicationScoped
public class ShapeValidator {

    /** The longest value any field may hold unless its shape says less. */
    public static final int MAX_VALUE_LENGTH = 16_384;

    /** A field the shape asks for. */
    /** {@code unusable} says why the shape's pattern cannot run (then {@code pattern} is null). */
    record Field(String name, boolean required, Pattern pattern, String unusable, int maxLength) {
    }

    public List<Problem.InvalidParam> validate(JsonNode shape, JsonNode values) {
        return validate(shape, values, true);
    }

    /** {@code requireAll} false: required fields may be missing (an integration's later setup step asks for them). */
    public List<Problem.InvalidParam> validate(JsonNode shape, JsonNode values, boolean requireAll) {
        if (values == null || !values.isObject()) {
            return List.of(new Problem.InvalidParam("/", "must be an object of field names to values"));
        }
        Map<String, Field> fields = fields(shape);
        List<Problem.InvalidParam> problems = new ArrayList<>();
        for (Iterator<String> names = values.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!fields.containsKey(name)) {
                problems.add(new Problem.InvalidParam(pointer(name), "is not a field of this connection; expected " + fields.keySet()));
            }
        }
        for (Field field : fields.values()) {
            JsonNode value = values.get(field.name());
            if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
                if (field.required() && requireAll) {
                    problems.add(new Problem.InvalidParam(pointer(field.name()), "is required"));
                }
                continue;
            }
            if (!value.isTextual()) {
                problems.add(new Problem.InvalidParam(pointer(field.name()), "must be a string"));
                continue;
            }
            String text = value.asText();
            if (field.unusable() != null) {
                // The shape, not the installer, is at fault; nothing they paste can pass, so say so.
                problems.add(new Problem.InvalidParam(pointer(field.name()), "cannot be checked: this connection's pattern "
                        + field.unusable() + "; the plugin's publisher must fix it"));
            } else if (text.length() > field.maxLength()) {
                problems.add(new Problem.InvalidParam(pointer(field.name()), "is longer than " + field.maxLength() + " characters"));
            } else if (field.pattern() != null && !field.pattern().matcher(text).matches()) {
                problems.add(new Problem.InvalidParam(pointer(field.name()), "does not have the form this connection expects"));
            }
        }
        return problems;
    }

    /** The fields a shape asks for, in order. */
    static Map<String, Field> fields(JsonNode shape) {
        Map<String, Field> fields = new LinkedHashMap<>();
        switch (shape.path("kind").asText()) {
            case "single" -> add(fields, shape.path("field").asText("value"), true, shape);
            case "pair" -> {
                add(fields, "username", true, MissingNode.getInstance());
                add(fields, "password", true, MissingNode.getInstance());
            }
            case "tuple" -> shape.path("fields").forEach(field -> add(fields, field.path("name").asText(),
                    field.path("required").asBoolean(true), field));
            default -> throw new IllegalArgumentException("Unknown shape kind '" + shape.path("kind").asText() + "'");
        }
        return fields;
    }

    private static void add(Map<String, Field> fields, String name, boolean required, JsonNode rules) {
        Pattern pattern = null;
        String unusable = null;
        if (rules.hasNonNull("pattern")) {
            try {
                pattern = ShapePatterns.compiled(rules.get("pattern").asText());
            } catch (ShapePatterns.UnsafePatternException e) {
                unusable = e.getMessage();
            }
        }
        int maxLength = Math.min(rules.path("maxLength").asInt(MAX_VALUE_LENGTH), MAX_VALUE_LENGTH);
        fields.put(name, new Field(name, required, pattern, unusable, maxLength));
    }

    private static String pointer(String name) {
        return "/" + name.replace("~", "~0").replace("/", "~1");
    }
}
