package dev.polymux.vault.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Where a secret value belongs. It is the associated data of both the value's encryption and its data key's
 * wrapping, so a ciphertext copied onto another tenant, installation or field does not decrypt.
 */
public record SecretContext(String tenantId, String installationId, String field) implements SealingContext {

    @Override
    public byte[] associatedData() {
        return ("polymux/secret/v1|" + tenantId.length() + ":" + tenantId + "|" + installationId.length() + ":" + installationId
                + "|" + field.length() + ":" + field).getBytes(StandardCharsets.UTF_8);
    }
}
