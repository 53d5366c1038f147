package dev.polymux.dispatch.installation;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.proto.registry.v1.ConnectionKind;

/**
 * What a call's connection is: the tenant's active installation of the plugin's connection key, the plugin
 * manifest's connection entry, and the pinned connector's manifest ({@code null} for a vault entry without a
 * connector: it has no tools of its own, only the built-in actions its entry declares).
 */
public record ResolvedConnection(String installationId, String tenantId, String pluginId, String connectionKey, ConnectionKind kind,
        String connectorId, String connectorVersion, JsonNode manifest, JsonNode entry) {

    public ResolvedConnection {
        entry = entry == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : entry;
    }

    public boolean oauth() {
        return kind == ConnectionKind.CONNECTION_KIND_OAUTH;
    }

    /** The connector, as metrics and logs name it ("none" for a vault entry without one). */
    public String connectorLabel() {
        return connectorId == null || connectorId.isEmpty() ? "none" : connectorId;
    }

    /**
     * Whose provider limits a call takes: its connector's, or for a vault entry without one the plugin's entry itself,
     * so that unrelated plugins' entries never share one limit.
     */
    public String providerKey() {
        return connectorId == null || connectorId.isEmpty() ? "entry:" + pluginId + "/" + connectionKey : connectorId;
    }
}
