package dev.polymux.console.installation.service;

import dev.polymux.console.installation.client.CredentialView;
import dev.polymux.console.installation.client.InstallationView;
import dev.polymux.console.marketplace.service.ConnectorDetail;

/**
 * One connection of an installed plugin as its card shows it: kind, status and its reason; for a vault connection the
 * form of its shape and, once stored, only the vault's metadata (stored on, by, each field's fingerprint).
 */
public record ConnectionCard(InstallationView installation, String label, ConnectorDetail.Shape shape, CredentialView credential,
        String problem) {

    public boolean vault() {
        return "vault".equals(installation.kind());
    }

    /** The credential form: a vault connection that is not revoked and whose shape is known. */
    public boolean form() {
        return vault() && !installation.revoked() && shape != null && !shape.fields().isEmpty();
    }

    /** OAuth Connect and integration setup steps are a later slice of the console. */
    public boolean later() {
        return !vault() && !installation.revoked();
    }

    public String id() {
        return installation.installationId();
    }

    public String title() {
        return label != null && !label.isBlank() ? label : installation.connectionKey();
    }

    public ConnectionCard withProblem(String sentence) {
        return new ConnectionCard(installation, label, shape, credential, sentence);
    }
}
