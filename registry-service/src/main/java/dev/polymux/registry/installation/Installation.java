package dev.polymux.registry.installation;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One connection of an installed plugin, for one tenant. Holds no secret values (those live in vault-service). */
@Entity
@Table(name = "installation")
public class Installation {

    public static final String PENDING = "pending";
    public static final String ACTIVE = "active";
    public static final String BROKEN = "broken";
    public static final String REVOKED = "revoked";

    public static final String OAUTH_KIND = "oauth";
    public static final String INTEGRATION_KIND = "integration";

    @Id
    public String id;

    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(name = "plugin_id", nullable = false, updatable = false)
    public String pluginId;

    @Column(name = "plugin_version", nullable = false, updatable = false)
    public String pluginVersion;

    @Column(name = "connection_key", nullable = false, updatable = false)
    public String connectionKey;

    @Column(nullable = false, updatable = false)
    public String kind;

    @Column(name = "connector_id", updatable = false)
    public String connectorId;

    @Column(name = "connector_version", updatable = false)
    public String connectorVersion;

    /** JSON array of the scopes the plugin asked for. */
    @Column(name = "requested_scopes", nullable = false, updatable = false)
    public String requestedScopes;

    /** The plugin's connection entry as JSON (for vault kinds, the shape vault-service validates against). */
    @Column(name = "connection_entry", nullable = false, updatable = false)
    public String connectionEntry;

    @Column(nullable = false)
    public String status;

    @Column(name = "status_reason")
    public String statusReason;

    @Column(name = "status_changed_at", nullable = false)
    public Instant statusChangedAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}
