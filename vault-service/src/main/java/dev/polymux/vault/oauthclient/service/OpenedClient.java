package dev.polymux.vault.oauthclient.service;

import java.time.Instant;
import java.util.Arrays;

import dev.polymux.vault.oauthclient.ClientKey;

/**
 * An OAuth client's decrypted id and secret (null for a public client) on their way out over gRPC; cleared by
 * {@link #clear()} once the response is built. {@code toString()} names the key only.
 */
public record OpenedClient(ClientKey key, byte[] clientId, byte[] clientSecret, long version, Instant updatedAt) {

    public void clear() {
        Arrays.fill(clientId, (byte) 0);
        if (clientSecret != null) {
            Arrays.fill(clientSecret, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "OpenedClient[" + key + ", public=" + (clientSecret == null) + ", version=" + version + "]";
    }
}
