package dev.polymux.connector.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a tool call ended, as the dispatcher needs to know it: each case says what happens next.
 * Messages are shown to workflow authors; they never contain credentials.
 */
public sealed interface ToolOutcome {

    /** Done; {@code output} is the tool's result. */
    record Success(JsonNode output) implements ToolOutcome {
    }

    /** Worth trying again (429, 5xx, network): after {@code retryAfter} when the provider said so. */
    record RetriableFailure(int status, Optional<Duration> retryAfter, String message) implements ToolOutcome {
        public RetriableFailure {
            retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
        }
    }

    /** The provider refused the credentials (401): the caller refreshes them once and retries once. */
    record CredentialsRejected(String message) implements ToolOutcome {
    }

    /** The grant is gone for good (revoked, invalid_grant): a person must reconnect; {@code sentence} says so. */
    record GrantBroken(String sentence) implements ToolOutcome {
    }

    /** The arguments cannot work (schema violation, 400/422 from the provider): retrying will not help. */
    record BadArguments(String message, List<String> problems) implements ToolOutcome {
        public BadArguments {
            problems = problems == null ? List.of() : List.copyOf(problems);
        }
    }

    /** Any other refusal by the provider that retrying will not fix (403, 404...). */
    record Failed(int status, String message) implements ToolOutcome {
    }
}
