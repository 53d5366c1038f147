package dev.polymux.console.installation.client;

import java.time.Instant;
import java.util.List;

/** vault-service's CredentialView: who stored the values and when, each field's fingerprint and length; never a value. */
public record CredentialView(String installationId, long version, Instant updatedAt, String updatedBy, List<FieldView> fields) {

    public record FieldView(String name, String fingerprint, int length, Instant updatedAt) {
    }
}
