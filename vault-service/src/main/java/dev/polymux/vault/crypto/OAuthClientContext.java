package dev.polymux.vault.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Where a field of an OAuth client belongs: a tenant's own client (tenantId set) or the platform's default (tenantId
 * empty), of one connector. Bound like {@link SecretContext}, so a client's ciphertext copied onto another tenant, onto
 * the platform's client (or the other way round), another connector or another field does not decrypt, and neither
 * does one copied from an installation's secrets.
 */
public record OAuthClientContext(String tenantId, String connectorId, String field) implements SealingContext {

    @Override
    public byte[] associatedData() {
        String owner = tenantId.isEmpty() ? "platform" : "tenant:" + tenantId.length() + ":" + tenantId;
        return ("polymux/oauth-client/v1|" + owner + "|" + connectorId.length() + ":" + connectorId + "|" + field.length() + ":" + field)
                .getBytes(StandardCharsets.UTF_8);
    }
}
