package dev.polymux.registry.plugin.rest;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.registry.plugin.PluginVersion;

/** A plugin version as the marketplace and the one-step publish show it; the listing leaves the manifest out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PluginView(String pluginId, String version, String label, String description, String ownerTenant, String state,
        Instant publishedAt, JsonNode manifest) {

    static PluginView of(PluginVersion plugin, ObjectMapper mapper) {
        try {
            return new PluginView(plugin.pluginId, plugin.version, plugin.label, plugin.description, plugin.ownerTenant, plugin.state,
                    plugin.publishedAt, mapper.readTree(plugin.manifest));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("A stored plugin manifest does not read back", e);
        }
    }

    static PluginView summary(PluginVersion plugin) {
        return new PluginView(plugin.pluginId, plugin.version, plugin.label, plugin.description, plugin.ownerTenant, plugin.state,
                plugin.publishedAt, null);
    }
}
