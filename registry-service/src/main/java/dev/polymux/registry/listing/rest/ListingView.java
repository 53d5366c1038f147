package dev.polymux.registry.listing.rest;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.registry.connector.ConnectorVersion;
import dev.polymux.registry.listing.ListingVersion;
import dev.polymux.registry.listing.service.ReviewFinding;

/**
 * A listing version as the listing API shows it, for either type. {@code kind} is a connection's (vault, oauth,
 * integration). {@code decidedBy} says whether a reviewer or the operator's policy ({@code policy:<name>}) decided; a
 * reviewer's identity is not shown to authors.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListingView(String type, String id, String version, String kind, String label, String description, String state,
        String ownerTenant, List<ReviewFinding> reviewFindings, String reviewNote, String decidedBy, Instant createdAt,
        Instant submittedAt, Instant decidedAt, JsonNode manifest) {

    public static ListingView of(ListingVersion version, ObjectMapper mapper) {
        try {
            List<ReviewFinding> findings = version.reviewFindings == null ? null
                    : mapper.readValue(version.reviewFindings, new TypeReference<List<ReviewFinding>>() {
                    });
            String decidedBy = version.reviewer == null ? null : version.decidedByPolicy() ? version.reviewer : "reviewer";
            String kind = version instanceof ConnectorVersion connector ? connector.kind : null;
            return new ListingView(version.listingType().value(), version.listingId(), version.version, kind, version.label,
                    version.description, version.state, version.ownerTenant, findings, version.reviewNote, decidedBy,
                    version.createdAt, version.submittedAt, version.decidedAt, mapper.readTree(version.manifest));
        } catch (IOException e) {
            throw new IllegalStateException("A stored listing version does not read back", e);
        }
    }
}
