package dev.polymux.connector.sdk;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * One step of an integration connector's setup (the source document's setup UI, as data): what it asks for,
 * described by a JSON Schema the dashboard renders, and a check run when the installer submits it, e.g.
 * "test the connection" or "create the service account".
 */
public interface SetupStep {

    String id();

    String title();

    /** JSON Schema of the fields this step asks for. */
    JsonNode fieldSchema();

    /** Checks what was entered (secret fields as {@link Secret}); the result's message is shown to the installer. */
    Uni<CheckResult> check(Map<String, Secret> values);

    record CheckResult(boolean passed, String message) {
        public static CheckResult passed(String message) {
            return new CheckResult(true, message);
        }

        public static CheckResult failed(String message) {
            return new CheckResult(false, message);
        }
    }
}
