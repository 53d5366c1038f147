package dev.polymux.console.installation.client;

import java.util.Map;

/** A setup step's submitted fields, by name. */
public record StepSubmission(Map<String, String> fields) {
}
