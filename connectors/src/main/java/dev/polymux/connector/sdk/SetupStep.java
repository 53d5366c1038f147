package dev.polymux.connector.sdk;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * One step of an integration connector's setup (its custom setup UI, as data): what it asks for, described by a JSON
 * Schema the dashboard renders, and a check run when the installer submits it, e.g. "test the connection" or "create
 * the service account".
 */
public interface SetupStep {

    String id();

    String title();

    /** JSON Schema of the fields this step asks for. */
    JsonNode fieldSchema();

    /** Whether the installation can become active without this step (default: every step is required). */
    default boolean required() {
        return true;
    }

    /**
     * Checks what was entered (every stored field of the installation, this step's submitted ones included, as
     * {@link Secret}); the result's message is shown to the installer. A step that bootstraps something at the
     * provider (a service account, a webhook) says what it created in {@link CheckResult#created()}.
     */
    Uni<CheckResult> check(Map<String, Secret> values);

    /**
     * Removes what {@link #check} created, when the installation is uninstalled or the step is run again; gets what
     * the check returned in {@code created} and the installation's stored values. Default: nothing to remove.
     */
    default Uni<Void> undo(Map<String, String> created, Map<String, Secret> values) {
        return Uni.createFrom().voidItem();
    }

    /**
     * The check's answer. {@code created}: identifiers (never secrets) of what the step created at the provider, kept
     * by Polymux and handed to {@link #undo} on uninstall.
     */
    record CheckResult(boolean passed, String message, Map<String, String> created) {
        public CheckResult {
            created = created == null ? Map.of() : Map.copyOf(created);
        }

        public CheckResult(boolean passed, String message) {
            this(passed, message, Map.of());
        }

        public static CheckResult passed(String message) {
            return new CheckResult(true, message);
        }

        public static CheckResult passed(String message, Map<String, String> created) {
            return new CheckResult(true, message, created);
        }

        public static CheckResult failed(String message) {
            return new CheckResult(false, message);
        }
    }
}
