package dev.polymux.registry.connector.service;

/**
 * What an automated review check found. {@code blocking} findings stop a submission; the others are shown to the
 * reviewer. {@code pointer} locates the finding in the manifest (JSON pointer).
 */
public record ReviewFinding(String check, boolean blocking, String pointer, String message) {
}
