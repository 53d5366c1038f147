package dev.polymux.console.signin.service;

import java.time.Instant;
import java.util.Set;

/**
 * A signed-in person, held on the server only: the browser gets the opaque id as a cookie, never the token. The csrf
 * value is put in every form of the session and checked on every POST.
 */
public record ConsoleSession(String id, String token, String tenant, String subject, Set<String> roles, Instant expiresAt,
        String csrf) {

    public boolean has(String role) {
        return roles.contains(role);
    }

    /** "Bearer ..." for the services' REST APIs. */
    public String bearer() {
        return "Bearer " + token;
    }

    @Override
    public String toString() { // never the token or the ids in a log line
        return "ConsoleSession[" + subject + "@" + tenant + " " + roles + " until " + expiresAt + "]";
    }
}
