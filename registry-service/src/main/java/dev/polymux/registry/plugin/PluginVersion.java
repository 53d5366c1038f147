package dev.polymux.registry.plugin;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;

/**
 * One version of a plugin (a plugin listing) with its review record. Immutable once submitted; submission pins each
 * entry's connectorVersion into the manifest. Only approved versions are in the Plugins tab and can be installed.
 */
@Entity
@Table(name = "plugin_version")
public class PluginVersion extends ListingVersion {

    @Column(name = "plugin_id", nullable = false, updatable = false)
    public String pluginId;

    /** When it was approved (by a reviewer or the operator's policy), and so appeared in the marketplace. */
    @Column(name = "published_at")
    public Instant publishedAt;

    /** A draft from a manifest that passed validation. */
    public static PluginVersion draft(JsonNode manifest, String ownerTenant, String author) {
        PluginVersion created = new PluginVersion();
        created.pluginId = manifest.path("id").asText();
        created.setVersionNumber(manifest.path("version").asText());
        created.startDraft(ownerTenant, author);
        created.applyManifest(manifest);
        return created;
    }

    /** Takes the manifest and what is read from it (label, description). Only drafts change after creation. */
    public void applyManifest(JsonNode manifest) {
        label = manifest.path("label").asText();
        description = manifest.path("description").asText(null);
        this.manifest = manifest.toString();
    }

    @Override
    public ListingType listingType() {
        return ListingType.PLUGIN;
    }

    @Override
    public String listingId() {
        return pluginId;
    }
}
