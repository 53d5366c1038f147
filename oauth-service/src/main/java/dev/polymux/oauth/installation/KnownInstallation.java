package dev.polymux.oauth.installation;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An oauth or integration installation as the registry announced it: tenant, the pinned connector version and its
 * manifest, and the scopes the plugin asked for. oauth-service keeps this projection so that a grant (or an
 * integration's setup step) never waits on the registry.
 */
@Entity
@Table(name = "known_installation")
public class KnownInstallation {

    public static final String OAUTH = "oauth";
    public static final String INTEGRATION = "integration";

    @Id
    public String id;

    /** oauth (a grant) or integration (setup steps). */
    @Column(nullable = false, updatable = false)
    public String kind = OAUTH;

    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(name = "connector_id", nullable = false, updatable = false)
    public String connectorId;

    @Column(name = "connector_version", nullable = false, updatable = false)
    public String connectorVersion;

    /** JSON array of the requested scopes. */
    @Column(nullable = false, updatable = false)
    public String scopes;

    /** The pinned connector manifest as JSON. */
    @Column(nullable = false, updatable = false)
    public String manifest;

    @Column(name = "removed_at")
    public Instant removedAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    public boolean removed() {
        return removedAt != null;
    }
}
