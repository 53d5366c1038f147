package dev.polymux.vault.secret.service;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Decrypted field values on their way out over gRPC. Byte arrays, cleared by {@link #clear()} once the response is
 * built; {@code toString()} names fields only.
 */
public record OpenedSecret(String installationId, Map<String, byte[]> fields, long version, Instant updatedAt) {

    public void clear() {
        fields.values().forEach(value -> Arrays.fill(value, (byte) 0));
    }

    @Override
    public String toString() {
        return "OpenedSecret[" + installationId + ", fields=" + fields.keySet() + ", version=" + version + "]";
    }
}
