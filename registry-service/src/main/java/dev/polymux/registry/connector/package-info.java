/**
 * The connector catalog: connector versions from draft through review (automated checks, then a reviewer who is not
 * the author) to approved, rejected or deprecated; the marketplace's Connections tab; the in-tree connectors seeded
 * at start.
 */
package dev.polymux.registry.connector;
