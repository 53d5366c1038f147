package dev.polymux.console.signin.service;

import java.time.Instant;
import java.util.Set;

/**
 * A signed-in person, held on the server only: the browser gets the opaque id as a cookie, never a token. The csrf
 * value is put in every form of the session and checked on every POST. An OIDC session also holds the refresh token,
 * when its access token ends and when to renew it ({@link OidcSignIn}); a local one has none of them.
 */
public record ConsoleSession(String id, String token, String refreshToken, Instant tokenExpiresAt, Instant renewAt, String tenant,
        String subject, Set<String> roles, Instant expiresAt, String csrf) {

    public boolean has(String role) {
        return roles.contains(role);
    }

    /** "Bearer ..." for the services' REST APIs. */
    public String bearer() {
        return "Bearer " + token;
    }

    /** The same session with a renewed access token, the roles it carries, and the refresh token the issuer answered with, if any. */
    ConsoleSession renewed(String newToken, String newRefreshToken, Instant newTokenExpiresAt, Instant newRenewAt, Set<String> newRoles) {
        return new ConsoleSession(id, newToken, newRefreshToken == null ? refreshToken : newRefreshToken, newTokenExpiresAt, newRenewAt,
                tenant, subject, Set.copyOf(newRoles), expiresAt, csrf);
    }

    /** The same session, its renewal tried again at {@code retryAt} (the issuer could not be reached). */
    ConsoleSession renewLater(Instant retryAt) {
        return new ConsoleSession(id, token, refreshToken, tokenExpiresAt, retryAt, tenant, subject, roles, expiresAt, csrf);
    }

    @Override
    public String toString() { // never the tokens or the ids in a log line
        return "ConsoleSession[" + subject + "@" + tenant + " " + roles + " until " + expiresAt + "]";
    }
}
