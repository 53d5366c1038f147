package dev.polymux.console.installation.client;

import java.time.Instant;

/** oauth-service's answer to authorize: the link the browser must follow itself, or connected at once (client credentials). */
public record AuthorizeView(String authorizeUrl, Instant expiresAt, boolean connected) {
}
