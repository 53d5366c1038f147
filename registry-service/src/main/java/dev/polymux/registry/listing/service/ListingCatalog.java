package dev.polymux.registry.listing.service;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.registry.listing.ListingType;
import dev.polymux.registry.listing.ListingVersion;
import io.smallrye.mutiny.Uni;

/**
 * One type's side of the publishing flow: how its manifests are validated and checked, and what its decisions
 * announce. The state machine itself is {@link ListingVersion}'s. Versions of another tenant do not exist for
 * {@code tenant} (404).
 */
public interface ListingCatalog<T extends ListingVersion> {

    ListingType type();

    /** A draft from a manifest that passes validation (400 otherwise); 409 for a taken id or an existing version. */
    Uni<T> createDraft(String tenant, String author, JsonNode manifest);

    Uni<T> updateDraft(String tenant, String editor, String id, String version, JsonNode manifest);

    /** Runs the automated checks; without blocking findings the draft goes to review (or is approved by policy). */
    Uni<Submission<T>> submit(String tenant, String submitter, String id, String version);

    Uni<T> approve(String reviewer, String id, String version, String note);

    Uni<T> reject(String reviewer, String id, String version, String note);

    Uni<T> deprecate(String id, String version, String note);

    Uni<List<T>> ownedBy(String tenant);

    Uni<T> ownedVersion(String tenant, String id, String version);

    /** Versions in review, oldest submission first. */
    Uni<List<T>> reviewQueue();
}
