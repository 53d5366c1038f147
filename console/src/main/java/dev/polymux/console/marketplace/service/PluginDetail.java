package dev.polymux.console.marketplace.service;

import java.time.Instant;
import java.util.List;

/** What a plugin's page shows: its connections, read out of its manifest. */
public record PluginDetail(String id, String version, String label, String description, String ownerTenant, String state, Instant publishedAt,
        List<Connection> connections) {

    public record Connection(String kind, String key, String label, String connector, List<String> scopes,
            ConnectorDetail.Shape shape, String help, boolean required) {
    }
}
