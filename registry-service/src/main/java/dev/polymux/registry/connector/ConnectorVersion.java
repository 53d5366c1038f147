package dev.polymux.registry.connector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.registry.marketplace.PublishedVersion;

/** One version of a connector, with its manifest and review record. Holds no secret values. */
@Entity
@Table(name = "connector_version")
public class ConnectorVersion extends PublishedVersion {

    @Column(name = "connector_id", nullable = false, updatable = false)
    public String connectorId;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String state;

    /** The automated review checks' findings, as a JSON array. */
    @Column(name = "review_findings")
    public String reviewFindings;

    @Column(name = "review_note")
    public String reviewNote;

    public String reviewer;

    /**
     * Subjects of everyone who created, edited or submitted this version, in that order; none of them may decide on
     * it, so an author who also reviews cannot take over a colleague's draft and approve it.
     */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false)
    public List<String> contributors = List.of();

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "submitted_at")
    public Instant submittedAt;

    @Column(name = "decided_at")
    public Instant decidedAt;

    /** A new version from a manifest that passed validation, owned by a tenant, in the given state. */
    public static ConnectorVersion fromManifest(JsonNode manifest, String ownerTenant, String author, ReviewState state) {
        ConnectorVersion created = new ConnectorVersion();
        created.connectorId = manifest.path("id").asText();
        created.setVersionNumber(manifest.path("version").asText());
        created.ownerTenant = ownerTenant;
        created.author = author;
        created.recordContributor(author);
        created.state = state.value();
        created.createdAt = Instant.now();
        created.applyManifest(manifest);
        return created;
    }

    /** Takes the manifest and what is read from it (kind, label, description). Only drafts change after creation. */
    public void applyManifest(JsonNode manifest) {
        kind = manifest.path("kind").asText();
        label = manifest.path("label").asText();
        description = manifest.path("description").asText(null);
        this.manifest = manifest.toString();
        updatedAt = Instant.now();
    }

    /** Notes that {@code subject} touched this version. A new list each time, so the change is seen as one. */
    public void recordContributor(String subject) {
        if (!contributors.contains(subject)) {
            List<String> updated = new ArrayList<>(contributors);
            updated.add(subject);
            contributors = List.copyOf(updated);
        }
    }

    /** Whether {@code subject} created, edited or submitted this version. */
    public boolean touchedBy(String subject) {
        return author.equals(subject) || contributors.contains(subject);
    }

    public ReviewState reviewState() {
        return ReviewState.of(state);
    }
}
