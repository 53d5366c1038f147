package dev.polymux.console.installation.client;

import java.util.Map;

/** A setup step's submitted fields, by name: strings, and numbers and booleans as JSON numbers and booleans. */
public record StepSubmission(Map<String, Object> fields) {
}
