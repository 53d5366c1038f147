package dev.polymux.registry.connector;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;
import dev.polymux.registry.listing.ReviewState;

/** One version of a connector (a connection listing), with its manifest and review record. Holds no secret values. */
@Entity
@Table(name = "connector_version")
public class ConnectorVersion extends ListingVersion {

    @Column(name = "connector_id", nullable = false, updatable = false)
    public String connectorId;

    @Column(nullable = false)
    public String kind;

    /** A new version from a manifest that passed validation, owned by a tenant, in the given state. */
    public static ConnectorVersion fromManifest(JsonNode manifest, String ownerTenant, String author, ReviewState state) {
        ConnectorVersion created = new ConnectorVersion();
        created.connectorId = manifest.path("id").asText();
        created.setVersionNumber(manifest.path("version").asText());
        created.startDraft(ownerTenant, author);
        created.state = state.value();
        created.applyManifest(manifest);
        return created;
    }

    /** Takes the manifest and what is read from it (kind, label, description). Only drafts change after creation. */
    public void applyManifest(JsonNode manifest) {
        kind = manifest.path("kind").asText();
        label = manifest.path("label").asText();
        description = manifest.path("description").asText(null);
        this.manifest = manifest.toString();
    }

    @Override
    public ListingType listingType() {
        return ListingType.CONNECTION;
    }

    @Override
    public String listingId() {
        return connectorId;
    }
}
