package dev.polymux.console.review.client;

/** What the registry's approve and reject take: exactly the note (required to reject, at most 4000 characters). */
public record Decision(String note) {
}
