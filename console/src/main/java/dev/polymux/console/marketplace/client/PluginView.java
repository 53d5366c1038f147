package dev.polymux.console.marketplace.client;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** The registry's PluginView (the listing leaves out the manifest). */
public record PluginView(String pluginId, String version, String label, String description, String ownerTenant, String state,
        Instant publishedAt, JsonNode manifest) {
}
