package dev.polymux.console.installation.service;

import java.util.List;

import dev.polymux.console.installation.client.CredentialView;
import dev.polymux.console.installation.client.InstallationView;
import dev.polymux.console.marketplace.service.ConnectorDetail;

/**
 * One connection of an installed plugin as its card shows it: kind, status and its reason; for a vault connection the
 * form of its shape and, once stored, only the vault's metadata (stored on, by, each field's fingerprint); for an OAuth
 * connection Connect (Reconnect once it was connected); for an integration its setup steps, a form each. A card's
 * problem is a refusal's sentence, its notice what just happened (a step's check, the provider's return).
 */
public record ConnectionCard(InstallationView installation, String label, ConnectorDetail.Shape shape, CredentialView credential,
        String problem, List<SetupStep> steps, boolean setupComplete, String notice) {

    public ConnectionCard(InstallationView installation, String label, ConnectorDetail.Shape shape, CredentialView credential, String problem) {
        this(installation, label, shape, credential, problem, List.of(), false, null);
    }

    public boolean vault() {
        return "vault".equals(installation.kind());
    }

    public boolean oauth() {
        return "oauth".equals(installation.kind());
    }

    public boolean integration() {
        return "integration".equals(installation.kind());
    }

    /** The credential form: a vault connection that is not revoked and whose shape is known. */
    public boolean form() {
        return vault() && !installation.revoked() && shape != null && !shape.fields().isEmpty();
    }

    /** Connect (or Reconnect): an OAuth connection that is not revoked. */
    public boolean connect() {
        return oauth() && !installation.revoked();
    }

    /** Reconnect rather than Connect: it was connected once (active) or its grant broke. */
    public boolean reconnect() {
        return "broken".equals(installation.status()) || "active".equals(installation.status());
    }

    /** The setup steps' forms: an integration that is not revoked. */
    public boolean setup() {
        return integration() && !installation.revoked();
    }

    public String id() {
        return installation.installationId();
    }

    public String title() {
        return label != null && !label.isBlank() ? label : installation.connectionKey();
    }

    public ConnectionCard withProblem(String sentence) {
        return new ConnectionCard(installation, label, shape, credential, sentence, steps, setupComplete, notice);
    }

    public ConnectionCard withNotice(String sentence) {
        return new ConnectionCard(installation, label, shape, credential, problem, steps, setupComplete, sentence);
    }
}
