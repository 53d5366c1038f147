package dev.polymux.console.installation.client;

/** What the registry's install takes: the plugin (its latest approved version). */
public record InstallRequest(String pluginId) {
}
