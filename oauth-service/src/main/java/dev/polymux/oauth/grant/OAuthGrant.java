package dev.polymux.oauth.grant;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The grant of one oauth installation. Holds no token: those live in vault-service, at {@link #tokenVersion}. */
@Entity
@Table(name = "grant_state")
public class OAuthGrant {

    public static final String ACTIVE = "active";
    public static final String BROKEN = "broken";
    public static final String REVOKED = "revoked";

    @Id
    @Column(name = "installation_id")
    public String installationId;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "connector_id", nullable = false)
    public String connectorId;

    @Column(nullable = false)
    public String status;

    @Column(name = "status_reason")
    public String statusReason;

    /** Null: the token never expires (nothing to refresh it with, no expiry given). */
    @Column(name = "expires_at")
    public Instant expiresAt;

    /** Null: never refreshed ahead (a non-expiring grant). */
    @Column(name = "refresh_at")
    public Instant refreshAt;

    @Column(nullable = false)
    public int failures;

    @Column(name = "lease_owner")
    public String leaseOwner;

    @Column(name = "lease_until")
    public Instant leaseUntil;

    /** The fencing token of the lease: the generation of the latest claim (GrantRepository.Lease). */
    @Column(name = "lease_generation", nullable = false)
    public long leaseGeneration;

    /** Who connected the grant: the person whose browser completed the authorization. */
    @Column(name = "connected_by")
    public String connectedBy;

    @Column(name = "token_version", nullable = false)
    public long tokenVersion;

    @Column(name = "invalidated_token_hash")
    public String invalidatedTokenHash;

    @Column(name = "authorized_at", nullable = false)
    public Instant authorizedAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
