package dev.polymux.registry.connector.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.listing.service.ReviewFinding;

/** A connector version as the REST API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectorView(String connectorId, String version, String kind, String label, String description, String state,
        String ownerTenant, List<ReviewFinding> reviewFindings, String reviewNote, Instant createdAt, Instant submittedAt,
        Instant decidedAt, JsonNode manifest) {

    static ConnectorView of(ConnectorVersion version, ObjectMapper mapper) {
        try {
            List<ReviewFinding> findings = version.reviewFindings == null ? null
                    : mapper.readValue(version.reviewFindings, new TypeReference<List<ReviewFinding>>() {
                    });
            return new ConnectorView(version.connectorId, version.version, version.kind, version.label, version.description,
                    version.state, version.ownerTenant, findings, version.reviewNote, version.createdAt, version.submittedAt,
                    version.decidedAt, mapper.readTree(version.manifest));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("A stored connector version does not read back", e);
        }
    }

    /** The marketplace's listing: what a plugin author needs to pick a connector, without the whole manifest. */
    static ConnectorView summary(ConnectorVersion version) {
        return new ConnectorView(version.connectorId, version.version, version.kind, version.label, version.description,
                version.state, version.ownerTenant, null, null, null, null, version.decidedAt, null);
    }
}
