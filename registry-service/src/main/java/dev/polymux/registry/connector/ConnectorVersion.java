package dev.polymux.registry.connector;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One version of a connector, with its manifest and review record. Holds no secret values. */
@Entity
@Table(name = "connector_version")
public class ConnectorVersion {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "connector_id", nullable = false, updatable = false)
    public String connectorId;

    @Column(nullable = false, updatable = false)
    public String version;

    @Column(name = "version_major", nullable = false, updatable = false)
    public int versionMajor;

    @Column(name = "version_minor", nullable = false, updatable = false)
    public int versionMinor;

    @Column(name = "version_patch", nullable = false, updatable = false)
    public int versionPatch;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String label;

    public String description;

    /** The manifest as JSON text. */
    @Column(nullable = false)
    public String manifest;

    @Column(nullable = false)
    public String state;

    @Column(name = "owner_tenant", nullable = false, updatable = false)
    public String ownerTenant;

    /** Subject of the token that created it. */
    @Column(nullable = false, updatable = false)
    public String author;

    /** The automated review checks' findings, as a JSON array. */
    @Column(name = "review_findings")
    public String reviewFindings;

    @Column(name = "review_note")
    public String reviewNote;

    public String reviewer;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "submitted_at")
    public Instant submittedAt;

    @Column(name = "decided_at")
    public Instant decidedAt;

    public ReviewState reviewState() {
        return ReviewState.of(state);
    }
}
