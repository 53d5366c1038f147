/**
 * Connection entries (plugin manifests) and connector manifests: their JSON Schemas ship in
 * {@code schemas/}, and {@link dev.polymux.connector.manifest.ManifestValidator} checks both, answering by JSON pointer.
 */
package dev.polymux.connector.manifest;
