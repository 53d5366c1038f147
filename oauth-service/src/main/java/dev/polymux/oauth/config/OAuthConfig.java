package dev.polymux.oauth.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of oauth-service, under {@code polymux.oauth.*}; each can be set by its environment variable in Kubernetes. */
@ConfigMapping(prefix = "polymux.oauth")
public interface OAuthConfig {

    /** The fixed path of the callback, appended to {@link #publicBaseUrl()}. */
    String CALLBACK_PATH = "/oauth/callback";

    /** The CloudEvents {@code source} of every event this service publishes. Env: POLYMUX_OAUTH_EVENT_SOURCE. */
    @WithDefault("/polymux/oauth-service")
    String eventSource();

    /**
     * Where browsers reach this service through the gateway (the public base URL, APP_URL); the redirect URI is
     * this + {@value #CALLBACK_PATH}, identical in the authorize and token requests. Env: APP_URL.
     */
    @WithDefault("${APP_URL:http://localhost:8182}")
    URI publicBaseUrl();

    /**
     * Origins a person may be sent back to after the callback (scheme://host[:port]); any other return URL is refused
     * when authorizing. Env: POLYMUX_OAUTH_ALLOWED_RETURN_ORIGINS (comma-separated).
     */
    @WithDefault("http://localhost:3000")
    List<String> allowedReturnOrigins();

    /**
     * The platform's own tenant: its admins manage the platform's OAuth clients (as in the registry).
     * Env: POLYMUX_OAUTH_PLATFORM_TENANT.
     */
    @WithDefault("polymux")
    String platformTenant();

    /** How long an authorize link (its state) stays valid. */
    @WithDefault("10m")
    Duration stateValidity();

    /**
     * Whether the cookie that binds an authorization to the browser that started it carries {@code Secure}. Only the
     * local stack and the tests, on plain http, turn it off. Env: POLYMUX_OAUTH_SECURE_COOKIES.
     */
    @WithDefault("true")
    boolean secureCookies();

    /**
     * The deadline of every call to another Polymux service (vault-service, registry-service).
     * Env: POLYMUX_OAUTH_INTERNAL_CALL_TIMEOUT.
     */
    @WithDefault("5s")
    Duration internalCallTimeout();

    Refresh refresh();

    HeldTokens heldTokens();

    /**
     * The access tokens each replica holds in memory for GetAccessToken (never the refresh tokens). Each hand-out is
     * still checked against the grant row; these only bound memory and how long a never-expiring token is held.
     */
    interface HeldTokens {

        /** At most this many grants' access tokens per replica; the least used go first. */
        @WithDefault("10000")
        long maxEntries();

        /** A held token is read from vault-service again after this long, or at its expiry if sooner. */
        @WithDefault("1h")
        Duration maxAge();
    }

    /** The refresh-ahead scheduler that runs in every replica. */
    interface Refresh {

        /** How often each replica looks for grants due for refresh. */
        @WithDefault("1s")
        String every();

        /** Grants claimed per round and replica. */
        @WithDefault("50")
        int batchSize();

        /** Refreshes in flight at once per replica. */
        @WithDefault("16")
        int concurrency();

        /** Refreshes in flight at once per replica and provider (connector). */
        @WithDefault("8")
        int concurrencyPerProvider();

        /**
         * How long a claim (lease) on a grant lasts; renewed every third of it while a refresh is in flight, so a
         * replica that dies mid-refresh frees it after this. Keep it well above the token request's deadline
         * (polymux.connectors.oauth.token-timeout). Env: POLYMUX_OAUTH_REFRESH_LEASE.
         */
        @WithDefault("30s")
        Duration lease();

        /** Up to this much earlier than the connector's refresh window, at random, so tokens minted together spread. */
        @WithDefault("0.2")
        double jitter();

        /** Waits between failed attempts: doubling from this, never past the token's expiry. */
        @WithDefault("2s")
        Duration backoff();

        /** How long a GetAccessToken caller waits for a refresh another caller or replica is running. */
        @WithDefault("15s")
        Duration waitForOtherRefresh();
    }
}
