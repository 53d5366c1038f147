/**
 * Connector definitions: manifests, versions and their review (draft, in_review, approved, rejected, deprecated).
 */
package dev.polymux.registry.connector;
