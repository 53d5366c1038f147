package dev.polymux.console.installation.client;

import java.time.Instant;

/** The registry's InstallationView: one connection of an installed plugin, with its status and the reason for it. */
public record InstallationView(String installationId, String pluginId, String pluginVersion, String connectionKey, String kind,
        String connectorId, String connectorVersion, String status, String statusReason, Instant statusChangedAt, Instant createdAt) {

    public boolean revoked() {
        return "revoked".equals(status);
    }
}
