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

    /** One input: a string property. Secret (writeOnly, format password, or a secret field of the shape): a password input, never filled. */
    public record Field(String name, String label, String description, boolean secret, boolean required) {
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
                if (!p.path("type").isMissingNode() && !"string".equals(p.path("type").asText())) {
                    return; // only string properties have an input
                }
                boolean secret = p.path("writeOnly").asBoolean(false) || "password".equals(p.path("format").asText())
                        || p.path("secret").asBoolean(false);
                String label = p.path("title").isTextual() ? p.path("title").asText() : property.getKey();
                fields.add(new Field(property.getKey(), label, p.path("description").isTextual() ? p.path("description").asText() : null, secret,
                        required.contains(property.getKey())));
            });
        } else if (shape != null) {
            // A schema without properties asks for the whole shape; once passed, the stored values stand unless replaced.
            for (ConnectorDetail.ShapeField field : shape.fields()) {
                fields.add(new Field(field.name(), field.label(), null, field.secret(), false)); // oauth-service names a missing one
            }
        }
        return fields;
    }
}
