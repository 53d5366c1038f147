package dev.polymux.registry.listing.service;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What an automated check found in a listing's manifest. {@code blocking} findings stop a submission; the others are
 * shown to the reviewer (and keep a plugin from being approved by policy). {@code pointer} locates the finding in the
 * manifest (JSON pointer).
 */
@RegisterForReflection
public record ReviewFinding(String check, boolean blocking, String pointer, String message) {
}
