package dev.polymux.connector.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a token endpoint returned, normalised: the access token, the refresh token if any, when the access token
 * expires, the granted scopes and provider extras (id_token, instance_url...). {@link #toString()} shows no token.
 * <p>
 * {@code expiresAt} is null for a token that never expires: the provider sent no expires_in and there is nothing to
 * renew it by (no refresh token, not client credentials), as GitHub OAuth apps do. A renewable token without
 * expires_in gets the connector's default lifetime instead, so that it is renewed ahead of time.
 */
public record TokenSet(Secret accessToken, Secret refreshToken, String tokenType, Instant expiresAt,
        List<String> scopes, Map<String, String> extras) {

    public TokenSet {
        Objects.requireNonNull(accessToken, "accessToken");
        tokenType = tokenType == null || tokenType.isBlank() ? "Bearer" : tokenType;
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        extras = extras == null ? Map.of() : Map.copyOf(extras);
    }

    public boolean hasRefreshToken() {
        return refreshToken != null && !refreshToken.isEmpty();
    }

    /** Whether the access token has an expiry at all. */
    public boolean expires() {
        return expiresAt != null;
    }

    /** Whether the access token is still valid for at least {@code validity} at {@code now}. */
    public boolean validFor(Duration validity, Instant now) {
        return expiresAt == null || expiresAt.isAfter(now.plus(validity));
    }

    /**
     * This token set after a refresh response that carried no refresh token: providers that do not rotate send
     * none, and the old one stays valid.
     */
    public TokenSet keepingRefreshTokenOf(TokenSet previous) {
        if (hasRefreshToken() || previous == null || !previous.hasRefreshToken()) {
            return this;
        }
        return new TokenSet(accessToken, previous.refreshToken, tokenType, expiresAt, scopes.isEmpty() ? previous.scopes : scopes,
                extras);
    }

    @Override
    public String toString() {
        return "TokenSet[tokenType=" + tokenType + ", expiresAt=" + (expiresAt == null ? "never" : expiresAt) + ", scopes=" + scopes
                + ", refreshToken=" + (hasRefreshToken() ? "present" : "absent") + ", extras=" + extras.keySet() + "]";
    }
}
