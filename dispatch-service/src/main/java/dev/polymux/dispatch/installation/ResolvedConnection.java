package dev.polymux.dispatch.installation;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.proto.registry.v1.ConnectionKind;

/**
 * What a call's connection is: the tenant's active installation of the plugin's connection key, and the pinned
 * connector's manifest ({@code null} for a vault entry without a connector: it has no tools).
 */
public record ResolvedConnection(String installationId, String tenantId, String pluginId, String connectionKey, ConnectionKind kind,
        String connectorId, String connectorVersion, JsonNode manifest) {

    public boolean oauth() {
        return kind == ConnectionKind.CONNECTION_KIND_OAUTH;
    }

    /** The connector, as metrics and logs name it ("none" for a vault entry without one). */
    public String connectorLabel() {
        return connectorId == null || connectorId.isEmpty() ? "none" : connectorId;
    }
}
