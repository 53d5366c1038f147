package dev.polymux.registry.listing.rest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the Publish tab sends: the listing's type and its manifest (connector-manifest.schema.json for a connection,
 * plugin-manifest.schema.json for a plugin). On an edit the type is the path's and may be left out.
 */
public record ListingRequest(@Pattern(regexp = "connection|plugin", message = "must be 'connection' or 'plugin'") String type,
        @NotNull JsonNode manifest) {
}
