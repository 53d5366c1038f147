package dev.polymux.oauth.grant.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.repository.GrantRepository;

/**
 * The access tokens this replica holds in memory, so that handing one out reads nothing from vault-service: vault's
 * audited read is the refresh token's, at refresh time. Only what a caller is given is held (access token, type,
 * expiry, scopes), never the refresh token, and nothing here is ever logged or counted.
 * <p>
 * Several replicas share one database, so a held token is handed out only while the grant row, read on every call,
 * still names it: the same token version and authorization as when it was held, and not the token a caller reported
 * rejected (Invalidate). A refresh, reconnect, Invalidate, revoke or break by any replica changes that row, and the
 * next call of every replica misses and reads vault-service again (or refuses). The held entry is never trusted alone.
 */
@ApplicationScoped
public class HeldAccessTokens {

    /** An access token as handed out, and what the grant row said when it was held. */
    record Held(TokenSet tokens, long tokenVersion, Instant authorizedAt, String accessTokenHash) {

        /** Whether the grant row (just read) still names this token, and the token is valid for what is asked. */
        boolean current(GrantRepository.HandOutState grant, Duration minValidity, Instant now) {
            return grant.tokenVersion() == tokenVersion && grant.authorizedAt() != null && authorizedAt.equals(grant.authorizedAt())
                    && !accessTokenHash.equals(grant.invalidatedTokenHash()) && tokens.validFor(minValidity, now);
        }
    }

    private final Cache<String, Held> held;

    public HeldAccessTokens(OAuthConfig config) {
        Duration maxAge = config.heldTokens().maxAge();
        this.held = Caffeine.newBuilder().maximumSize(config.heldTokens().maxEntries())
                // Gone at the token's expiry (no use after it) or after maxAge, whichever comes first.
                .expireAfter(new Expiry<String, Held>() {
                    @Override
                    public long expireAfterCreate(String key, Held value, long currentTime) {
                        Duration left = value.tokens().expiresAt() == null ? maxAge : Duration.between(Instant.now(), value.tokens().expiresAt());
                        return Math.max(0, Math.min(left.toNanos(), maxAge.toNanos()));
                    }

                    @Override
                    public long expireAfterUpdate(String key, Held value, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, Held value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** The held access token if {@code grant} (read for this call) still names it and it lasts {@code minValidity}; else null. */
    public TokenSet current(GrantRepository.HandOutState grant, Duration minValidity) {
        Held entry = held.getIfPresent(key(grant.tenant(), grant.installationId()));
        return entry != null && entry.current(grant, minValidity, Instant.now()) ? entry.tokens() : null;
    }

    /**
     * Holds {@code tokens}, stored in vault-service at {@code tokenVersion}, for the grant authorized at
     * {@code authorizedAt}. Safe to call before the grant row says so (or if it never does): until the row names this
     * version, the entry is not handed out.
     */
    public void hold(String tenant, String installationId, TokenSet tokens, long tokenVersion, Instant authorizedAt) {
        if (authorizedAt == null) {
            return;
        }
        TokenSet handedOut = new TokenSet(tokens.accessToken(), null, tokens.tokenType(), tokens.expiresAt(), tokens.scopes(), null);
        held.put(key(tenant, installationId), new Held(handedOut, tokenVersion, authorizedAt, GrantService.hash(tokens.accessToken().reveal())));
    }

    /** Forgets the grant's token in this replica (other replicas stop by the grant row). */
    public void drop(String tenant, String installationId) {
        held.invalidate(key(tenant, installationId));
    }

    private static String key(String tenant, String installationId) {
        return tenant + '\n' + installationId;
    }
}
