/**
 * One publishing flow for connections and plugins: a listing version is a draft its tenant's authors edit, submitted
 * through automated checks into review, approved or rejected (by a platform reviewer who neither created, edited nor
 * submitted it, or for plugins by the operator's policy), and deprecated later by a platform admin. The state machine
 * and review record live in {@link dev.polymux.registry.listing.ListingVersion}; each type's catalog
 * ({@code ConnectorCatalogService}, {@code PluginPublishingService}) adds its checks and its events.
 */
package dev.polymux.registry.listing;
