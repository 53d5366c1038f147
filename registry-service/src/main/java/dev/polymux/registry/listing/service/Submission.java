package dev.polymux.registry.listing.service;

import java.util.List;

import dev.polymux.registry.listing.ListingVersion;

/** What a submission came to: the version (a draft still, in review, or approved by policy) and the findings that block it. */
public record Submission<T extends ListingVersion>(T version, List<ReviewFinding> blocking) {
}
