package dev.polymux.vault.secret.service;

import java.util.List;

import dev.polymux.vault.secret.Credential;
import dev.polymux.vault.secret.SealedField;

/** A credential with its sealed fields, as loaded: ciphertexts only. */
public record StoredCredential(Credential credential, List<SealedField> fields) {

    public List<String> fieldNames() {
        return fields.stream().map(field -> field.field).toList();
    }
}
