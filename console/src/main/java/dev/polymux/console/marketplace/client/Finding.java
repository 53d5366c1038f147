package dev.polymux.console.marketplace.client;

/** An automated review finding: {@code pointer} is a JSON pointer into the manifest. */
public record Finding(String check, boolean blocking, String pointer, String message) {
}
