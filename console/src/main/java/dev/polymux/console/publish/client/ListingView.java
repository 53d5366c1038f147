package dev.polymux.console.publish.client;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.console.marketplace.client.Finding;

/** The registry's ListingView: one of the tenant's listing versions, any state, with its findings. */
public record ListingView(String type, String id, String version, String kind, String label, String description, String state,
        String ownerTenant, List<Finding> reviewFindings, String reviewNote, String decidedBy, Instant createdAt, Instant submittedAt,
        Instant decidedAt, JsonNode manifest) {

    public List<Finding> findings() {
        return reviewFindings == null ? List.of() : reviewFindings;
    }

    public boolean draft() {
        return "draft".equals(state);
    }

    public String path() {
        return "/integrations/publish/" + type + "/" + id + "/" + version;
    }

    public long blockingCount() {
        return findings().stream().filter(Finding::blocking).count();
    }
}
