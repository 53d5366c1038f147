/**
 * Plugins: manifests whose {@code connections} array names what they need (the source document's format), published
 * after validation against the catalog, with the connector versions they use pinned; the marketplace's Plugins tab.
 */
package dev.polymux.registry.plugin;
