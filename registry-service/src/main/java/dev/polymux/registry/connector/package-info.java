/**
 * The connector catalog, the connection side of the publishing flow ({@link dev.polymux.registry.listing}): connector
 * versions from draft through the stricter automated checks and a platform reviewer (never a policy) to approved,
 * rejected or deprecated; the marketplace's Connections tab; the in-tree connectors seeded at start.
 */
package dev.polymux.registry.connector;
