package dev.polymux.console.installation.client;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** oauth-service's SetupView: an integration's steps, each with the JSON Schema of its fields and its last check. */
public record SetupView(String installationId, String connectorId, boolean complete, List<StepView> steps) {

    public record StepView(String id, String title, String description, boolean required, JsonNode fields, String state, String message,
            Instant checkedAt, String checkedBy) {
    }
}
