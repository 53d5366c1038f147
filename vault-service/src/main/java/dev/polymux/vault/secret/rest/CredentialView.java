package dev.polymux.vault.secret.rest;

import java.time.Instant;
import java.util.List;

import dev.polymux.vault.secret.service.StoredCredential;

/** What the REST API says about stored values: which fields, when, by whom, a fingerprint. Never a value. */
public record CredentialView(String installationId, long version, Instant updatedAt, String updatedBy, List<FieldView> fields) {

    /** One stored field: its name, a short fingerprint to compare with what was pasted, and its length in characters. */
    public record FieldView(String name, String fingerprint, int length, Instant updatedAt) {
    }

    public static CredentialView of(StoredCredential stored) {
        return new CredentialView(stored.credential().installationId, stored.credential().version, stored.credential().updatedAt,
                stored.credential().updatedBy,
                stored.fields().stream().map(field -> new FieldView(field.field, field.fingerprint, field.valueLength, field.updatedAt)).toList());
    }
}
