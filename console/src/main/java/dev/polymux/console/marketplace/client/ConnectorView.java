package dev.polymux.console.marketplace.client;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The registry's ConnectorView (the listing leaves out the manifest, findings and note). */
public record ConnectorView(String connectorId, String version, String kind, String label, String description, String state,
        String ownerTenant, List<Finding> reviewFindings, String reviewNote, Instant createdAt, Instant submittedAt,
        Instant decidedAt, JsonNode manifest) {
}
