/**
 * Plugins, the plugin side of the publishing flow ({@link dev.polymux.registry.listing}): manifests whose
 * {@code connections} array names what they need, checked against the catalog with the connector versions they use
 * pinned, approved by a platform reviewer or the operator's policy; the marketplace's Plugins tab, which shows approved
 * versions only.
 */
package dev.polymux.registry.plugin;
