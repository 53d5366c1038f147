/**
 * The public marketplace: search and listing of approved connectors and plugins.
 */
package dev.polymux.registry.marketplace;
