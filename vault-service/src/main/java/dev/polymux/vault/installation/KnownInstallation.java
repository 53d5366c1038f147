package dev.polymux.vault.installation;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An installation as the registry announced it: tenant, kind and the shape its values must have. vault-service keeps
 * this projection so that storing values never waits on the registry.
 */
@Entity
@Table(name = "known_installation")
public class KnownInstallation {

    public static final String VAULT = "vault";
    public static final String OAUTH = "oauth";
    public static final String INTEGRATION = "integration";

    @Id
    public String id;

    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(nullable = false, updatable = false)
    public String kind;

    /** connection-entry.schema.json#/$defs/shape as JSON; null for oauth installations. */
    public String shape;

    @Column(name = "removed_at")
    public Instant removedAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    public boolean removed() {
        return removedAt != null;
    }
}
