package dev.polymux.oauth.authorization;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One authorize link: bound to tenant, installation and redirect URI, and, once opened, to the browser that opened it;
 * single-use; its state stored only as a hash.
 */
@Entity
@Table(name = "authorization_request")
public class AuthorizationRequest {

    @Id
    @Column(name = "state_hash")
    public String stateHash;

    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(name = "installation_id", nullable = false, updatable = false)
    public String installationId;

    @Column(name = "redirect_uri", nullable = false, updatable = false)
    public String redirectUri;

    @Column(name = "return_url", updatable = false)
    public String returnUrl;

    /** The PKCE verifier, sealed with a key derived from the state (StateKeys); null without PKCE. */
    @Column(name = "sealed_verifier", updatable = false)
    public byte[] sealedVerifier;

    @Column(name = "requested_by", nullable = false, updatable = false)
    public String requestedBy;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false, updatable = false)
    public Instant expiresAt;

    /** When the start URL was opened (it opens once); null until then. */
    @Column(name = "started_at")
    public Instant startedAt;

    /** SHA-256 of the binder in the cookie of the browser that opened the start URL (BrowserBinding); null until then. */
    @Column(name = "browser_binder_hash")
    public String browserBinderHash;

    @Column(name = "used_at")
    public Instant usedAt;
}
