package dev.polymux.console.installation.service;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A setup step's form values (read by name, {@code field.<name>}) as the JSON types its fields declare, so that
 * oauth-service's schema check sees numbers and booleans: an integer is a long, a number a BigDecimal, a boolean true
 * or false (an unchecked box sends nothing, so a boolean of the step is false unless "true" came), a choice one of its
 * values (as its type). Empty inputs of other kinds are left out (an earlier step may have stored them); fields without
 * an input (objects, arrays) and names that are not the step's fields are not read.
 */
public final class SetupValues {

    public static final String PREFIX = "field.";

    /** A value that is not of its field's type: the sentence names the field by its label, never the value. */
    public static final class NotConvertible extends RuntimeException {
        NotConvertible(String sentence) {
            super(sentence, null, false, false);
        }
    }

    private SetupValues() {
    }

    public static Map<String, Object> of(List<SetupStep.Field> fields, Map<String, String> form) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (SetupStep.Field field : fields) {
            String value = form.get(PREFIX + field.name());
            switch (field.kind()) {
                case BOOLEAN -> values.put(field.name(), bool(field, value));
                case API_ONLY -> {
                }
                default -> {
                    Object converted = value == null || value.isEmpty() ? null : convert(field, value);
                    if (converted != null) {
                        values.put(field.name(), converted);
                    }
                }
            }
        }
        return values;
    }

    /** The value as its field's type; null for a number left blank. */
    private static Object convert(SetupStep.Field field, String value) {
        if ((field.kind() == SetupStep.Kind.INTEGER || field.kind() == SetupStep.Kind.NUMBER) && value.isBlank()) {
            return null;
        }
        return switch (field.kind()) {
            case INTEGER -> integer(field, value.strip());
            case NUMBER -> number(field, value.strip());
            case CHOICE -> field.options().stream().filter(option -> String.valueOf(option).equals(value)).findFirst()
                    .orElseThrow(() -> new NotConvertible(field.label() + " must be one of its choices."));
            default -> value;
        };
    }

    private static long integer(SetupStep.Field field, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notWhole) {
            throw new NotConvertible(field.label() + " must be a whole number.");
        }
    }

    private static BigDecimal number(SetupStep.Field field, String value) {
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException notANumber) {
            throw new NotConvertible(field.label() + " must be a number.");
        }
    }

    private static boolean bool(SetupStep.Field field, String value) {
        if (value == null || value.isEmpty() || "false".equals(value)) {
            return false;
        }
        if ("true".equals(value)) {
            return true;
        }
        throw new NotConvertible(field.label() + " must be on or off.");
    }
}
