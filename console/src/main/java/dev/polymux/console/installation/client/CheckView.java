package dev.polymux.console.installation.client;

/** A step's check: passed or not, its sentence, and whether the integration's setup is complete now. */
public record CheckView(String step, boolean passed, String message, boolean setupComplete) {
}
