/**
 * The connector catalog: connector versions from draft through review (automated checks, then a platform reviewer
 * who neither created, edited nor submitted the version) to approved, rejected or deprecated (by a platform admin);
 * the marketplace's Connections tab; the in-tree connectors seeded at start.
 */
package dev.polymux.registry.connector;
