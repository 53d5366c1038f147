package dev.polymux.console.marketplace.service;

import java.time.Instant;
import java.util.List;

import dev.polymux.console.marketplace.client.Finding;

/** What a connector's page shows, read out of its manifest. */
public record ConnectorDetail(String id, String version, String kind, String label, String description, String state, String ownerTenant,
        List<Tool> tools, List<String> scopes, List<String> defaultScopes, Shape shape, List<String> setupSteps, List<String> allowedHosts,
        String reviewNote, List<Finding> findings, Instant createdAt, Instant submittedAt, Instant decidedAt) {

    public record Tool(String name, String description, List<InputField> fields) {
    }

    public record InputField(String name, String type, boolean required, String description) {
    }

    /** What an installer pastes: single, pair or tuple, and its fields (never any value). */
    public record Shape(String kind, List<ShapeField> fields) {
    }

    public record ShapeField(String name, String label, boolean secret) {
    }
}
