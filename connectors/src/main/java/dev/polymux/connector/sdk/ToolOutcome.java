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

    /**
     * Any other refusal that retrying will not fix (403, 404...), or a call Polymux stopped itself; {@code reason}
     * says which, so that the dispatcher can report a precise error code.
     */
    record Failed(int status, String message, Reason reason) implements ToolOutcome {
        public Failed {
            reason = reason == null ? Reason.PROVIDER_REFUSED : reason;
        }

        public Failed(int status, String message) {
            this(status, message, Reason.PROVIDER_REFUSED);
        }

        /** Why a call failed for good. */
        public enum Reason {
            /** The provider refused the call (any status retrying will not fix). */
            PROVIDER_REFUSED,
            /** The provider's answer was larger than polymux.connectors.http.max-output-bytes; reading stopped there. */
            OUTPUT_TOO_LARGE,
            /** The provider redirected, and the tool does not follow (or may not follow) that redirect. */
            REDIRECT_REFUSED,
            /** The address guard refused the host (private or internal address, plain http, not resolvable). */
            ADDRESS_REFUSED
        }
    }
}
