package dev.polymux.connector.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.polymux.connector.sdk.Secret;

/**
 * An OAuth client registered with a provider: the platform's default for a connector, a tenant's own, or (for a
 * manifest not published yet) one the developer passed for a single test. An empty secret is a public client.
 */
public record OAuthClientRegistration(String clientId, Secret clientSecret) {

    public OAuthClientRegistration {
        clientSecret = clientSecret == null ? Secret.of("") : clientSecret;
    }

    /** Tells two secrets apart (a replaced secret needs a new token client) without holding the value itself. */
    public String secretFingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("polymux/client-cache/v1|" + clientSecret.reveal())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "OAuthClientRegistration[clientId=" + clientId + ", clientSecret=***]";
    }
}
