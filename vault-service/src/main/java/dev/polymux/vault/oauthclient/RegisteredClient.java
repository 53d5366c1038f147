package dev.polymux.vault.oauthclient;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One OAuth client of a connector, the platform's or a tenant's; its id and secret are {@link SealedClientField} rows. */
@Entity
@Table(name = "oauth_client")
public class RegisteredClient {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** Empty for the platform's default client. */
    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(name = "connector_id", nullable = false, updatable = false)
    public String connectorId;

    /** Counts writes, starting at 1. */
    @Column(nullable = false)
    public long version;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "updated_by", nullable = false)
    public String updatedBy;

    public ClientKey key() {
        return new ClientKey(tenant, connectorId);
    }
}
