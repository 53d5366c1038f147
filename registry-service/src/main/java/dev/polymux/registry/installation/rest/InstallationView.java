package dev.polymux.registry.installation.rest;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.polymux.registry.installation.Installation;

/** An installation as the REST API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstallationView(String installationId, String pluginId, String pluginVersion, String connectionKey, String kind,
        String connectorId, String connectorVersion, String status, String statusReason, Instant statusChangedAt, Instant createdAt) {

    static InstallationView of(Installation installation) {
        return new InstallationView(installation.id, installation.pluginId, installation.pluginVersion, installation.connectionKey,
                installation.kind, installation.connectorId, installation.connectorVersion, installation.status,
                installation.statusReason, installation.statusChangedAt, installation.createdAt);
    }
}
