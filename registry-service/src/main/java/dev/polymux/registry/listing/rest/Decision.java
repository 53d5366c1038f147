package dev.polymux.registry.listing.rest;

import jakarta.validation.constraints.Size;

/** A reviewer's or admin's decision; a rejection needs a note the author can act on. */
public record Decision(@Size(max = 4000) String note) {

    /** The note of a decision that may come without a body. */
    public static String noteOf(Decision decision) {
        return decision == null ? null : decision.note();
    }
}
