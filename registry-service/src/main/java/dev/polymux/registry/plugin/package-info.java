/**
 * Plugins and the connections their manifests declare.
 */
package dev.polymux.registry.plugin;
