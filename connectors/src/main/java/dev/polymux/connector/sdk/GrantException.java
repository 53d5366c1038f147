package dev.polymux.connector.sdk;

import java.time.Duration;
import java.util.Optional;

/**
 * An OAuth operation failed. {@link Kind#BROKEN}: the grant is unusable until a person reconnects (invalid_grant,
 * revoked, unauthorized_client); the message is the sentence to show them. {@link Kind#TRANSIENT}: the provider
 * could not answer now (5xx, timeout, 429); try again, after {@link #retryAfter()} when known.
 * {@link Kind#DENIED}: the person declined at the provider (access_denied). Messages never hold token values.
 */
public class GrantException extends RuntimeException {

    public enum Kind {
        BROKEN, TRANSIENT, DENIED
    }

    private final Kind kind;
    private final String providerError;
    private final transient Optional<Duration> retryAfter;

    public GrantException(Kind kind, String sentence, String providerError, Optional<Duration> retryAfter) {
        super(sentence, null, false, false);
        this.kind = kind;
        this.providerError = providerError;
        this.retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
    }

    public static GrantException broken(String sentence, String providerError) {
        return new GrantException(Kind.BROKEN, sentence, providerError, Optional.empty());
    }

    public static GrantException transientFailure(String sentence, Optional<Duration> retryAfter) {
        return new GrantException(Kind.TRANSIENT, sentence, null, retryAfter);
    }

    public static GrantException denied(String sentence, String providerError) {
        return new GrantException(Kind.DENIED, sentence, providerError, Optional.empty());
    }

    public Kind kind() {
        return kind;
    }

    /** The provider's error code (e.g. invalid_grant), when it gave one. */
    public String providerError() {
        return providerError;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
