package dev.polymux.oauth.clientregistration;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/**
 * An OAuth client registered for a connector: the platform's default ({@link #PLATFORM} as tenant) or a tenant's own,
 * which wins for that tenant's installations. The client id and secret are sealed in vault-service; this row says
 * what may be shown and which vault version is current, so every replica notices a replaced secret.
 */
@Entity
@Table(name = "client_registration")
@IdClass(ClientRegistration.Key.class)
public class ClientRegistration {

    /** The tenant column of the platform's default clients. */
    public static final String PLATFORM = "";

    @Id
    @Column(nullable = false)
    public String tenant;

    @Id
    @Column(name = "connector_id", nullable = false)
    public String connectorId;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    @Column(name = "secret_version", nullable = false)
    public long secretVersion;

    /** The vault's fingerprint of the secret; null for a public client (no secret). */
    @Column(name = "secret_fingerprint")
    public String secretFingerprint;

    @Column(name = "registered_by", nullable = false)
    public String registeredBy;

    @Column(name = "registered_at", nullable = false)
    public Instant registeredAt;

    public boolean platform() {
        return PLATFORM.equals(tenant);
    }

    public static class Key implements Serializable {
        public String tenant;
        public String connectorId;

        public Key() {
        }

        public Key(String tenant, String connectorId) {
            this.tenant = tenant;
            this.connectorId = connectorId;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.tenant.equals(tenant) && key.connectorId.equals(connectorId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tenant, connectorId);
        }
    }
}
