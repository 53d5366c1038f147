package dev.polymux.console.publish.client;

import com.fasterxml.jackson.databind.JsonNode;

/** What the registry's listing API takes: exactly these two fields (it refuses unknown ones). */
public record ListingRequest(String type, JsonNode manifest) {
}
