package dev.polymux.console.installation.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.console.installation.client.SetupView;
import dev.polymux.console.marketplace.service.ConnectorDetail;

/**
 * An integration's setup step as its card shows it: what it asks for (a form generated from the step's JSON Schema,
 * or the whole shape when the schema names no properties, as oauth-service takes it) and how its last check went.
 */
public record SetupStep(String id, String title, String description, boolean required, String state, String message, Instant checkedAt,
        List<Field> fields) {

    /**
     * What a field's input is: a string property is text, or secret (writeOnly, format password, or a secret field of
     * the shape: a password input, never filled), or a choice (its {@code enum} of strings, or of whole numbers on an
     * integer property); integer, number and boolean properties have their own inputs; objects, arrays and other types
     * have none (set through the API).
     */
    public enum Kind {
        TEXT, SECRET, INTEGER, NUMBER, BOOLEAN, CHOICE, API_ONLY
    }

    /**
     * One field of the step's form. {@code options}: a choice's values (strings, or longs on an integer property);
     * {@code minimum}/{@code maximum}: a number's bounds as the schema gives them, or null; {@code checked}: a boolean
     * whose schema default is true.
     */
    public record Field(String name, String label, String description, Kind kind, boolean required, List<Object> options, String minimum,
            String maximum, boolean checked) {

        public Field {
            options = options == null ? List.of() : List.copyOf(options);
        }

        /** A text or secret field. */
        public Field(String name, String label, String description, boolean secret, boolean required) {
            this(name, label, description, secret ? Kind.SECRET : Kind.TEXT, required, List.of(), null, null, false);
        }

        public boolean text() {
            return kind == Kind.TEXT;
        }

        public boolean secret() {
            return kind == Kind.SECRET;
        }

        public boolean integer() {
            return kind == Kind.INTEGER;
        }

        public boolean number() {
            return kind == Kind.NUMBER;
        }

        public boolean bool() {
            return kind == Kind.BOOLEAN;
        }

        public boolean choice() {
            return kind == Kind.CHOICE;
        }

        public boolean apiOnly() {
            return kind == Kind.API_ONLY;
        }
    }

    public boolean passed() {
        return "passed".equals(state);
    }

    static SetupStep of(SetupView.StepView step, ConnectorDetail.Shape shape) {
        return new SetupStep(step.id(), step.title() != null ? step.title() : step.id(), step.description(), step.required(),
                step.state(), step.message(), step.checkedAt(), fields(step.fields(), shape, "passed".equals(step.state())));
    }

    static List<Field> fields(JsonNode schema, ConnectorDetail.Shape shape, boolean passed) {
        List<Field> fields = new ArrayList<>();
        JsonNode properties = schema == null ? null : schema.path("properties");
        if (properties != null && properties.isObject() && !properties.isEmpty()) {
            Set<String> required = new TreeSet<>();
            schema.path("required").forEach(name -> required.add(name.asText()));
            properties.fields().forEachRemaining(property -> {
                JsonNode p = property.getValue();
                String label = p.path("title").isTextual() ? p.path("title").asText() : property.getKey();
                String description = p.path("description").isTextual() ? p.path("description").asText() : null;
                String type = type(p.path("type"));
                Kind kind = kind(p, type);
                List<Object> options = kind == Kind.CHOICE ? choices(p.path("enum"), type) : List.of();
                boolean bounded = kind == Kind.INTEGER || kind == Kind.NUMBER;
                fields.add(new Field(property.getKey(), label, description, kind, required.contains(property.getKey()), options,
                        bounded ? bound(p.path("minimum")) : null, bounded ? bound(p.path("maximum")) : null,
                        kind == Kind.BOOLEAN && p.path("default").asBoolean(false)));
            });
        } else if (shape != null) {
            // A schema without properties asks for the whole shape; once passed, the stored values stand unless replaced.
            for (ConnectorDetail.ShapeField field : shape.fields()) {
                fields.add(new Field(field.name(), field.label(), null, field.secret(), false)); // oauth-service names a missing one
            }
        }
        return fields;
    }

    /** The property's JSON type: missing is a string (as oauth-service's shape fields are); a list names one besides "null". */
    private static String type(JsonNode type) {
        if (type.isMissingNode()) {
            return "string";
        }
        if (type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(t -> {
                if (!"null".equals(t.asText())) {
                    types.add(t.asText());
                }
            });
            return types.size() == 1 ? types.get(0) : "";
        }
        return type.isTextual() ? type.asText() : "";
    }

    private static Kind kind(JsonNode p, String type) {
        boolean secret = p.path("writeOnly").asBoolean(false) || "password".equals(p.path("format").asText()) || p.path("secret").asBoolean(false);
        return switch (type) {
            case "string" -> secret ? Kind.SECRET : choices(p.path("enum"), type).isEmpty() ? Kind.TEXT : Kind.CHOICE;
            case "integer" -> choices(p.path("enum"), type).isEmpty() ? Kind.INTEGER : Kind.CHOICE;
            case "number" -> Kind.NUMBER;
            case "boolean" -> Kind.BOOLEAN;
            default -> Kind.API_ONLY; // object, array, or a type the console has no input for
        };
    }

    /** An enum's values if all are of the property's type (strings, or whole numbers as longs); else none. */
    private static List<Object> choices(JsonNode values, String type) {
        if (!values.isArray() || values.isEmpty()) {
            return List.of();
        }
        List<Object> choices = new ArrayList<>();
        for (JsonNode value : values) {
            if ("string".equals(type) && value.isTextual()) {
                choices.add(value.asText());
            } else if ("integer".equals(type) && value.isIntegralNumber() && value.canConvertToLong()) {
                choices.add(value.asLong());
            } else {
                return List.of();
            }
        }
        return choices;
    }

    private static String bound(JsonNode bound) {
        return bound.isNumber() ? bound.decimalValue().stripTrailingZeros().toPlainString() : null;
    }
}
