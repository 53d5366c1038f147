package dev.polymux.console.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The console's settings (README, "Configuration"). The registry's address is the rest client's: quarkus.rest-client.registry.url. */
@ConfigMapping(prefix = "polymux.console")
public interface ConsoleConfig {

    /** How people sign in. */
    enum SignInMode {
        /** Nobody can: the sign-in page says the console is not configured. */
        NONE,
        /** The local stack's sign-in page: pick tenant, subject and roles; a token signed with the stack's key. Local, dev and test profiles only. */
        LOCAL,
        /**
         * Production: the platform's OpenID Connect issuer (quarkus-oidc web-app, authorization code flow with PKCE,
         * quarkus.oidc.*). The person's access token, kept in the server-side session and refreshed ahead of expiry,
         * is what the services see.
         */
        OIDC
    }

    @WithDefault("none")
    SignInMode signIn();

    Local local();

    Session session();

    /**
     * Origins (scheme://host[:port]) a form may be posted from besides the console's own (as the request's Host
     * names it), e.g. the gateway's public origin. Every POST with another Origin is refused.
     */
    Optional<List<String>> allowedOrigins();

    /**
     * The console's address as browsers reach it (scheme://host[:port], e.g. the gateway's), from which the return URL
     * of an OAuth Connect is made; its origin must be in oauth-service's POLYMUX_OAUTH_ALLOWED_RETURN_ORIGINS. Unset:
     * the request's base URI. Env: POLYMUX_CONSOLE_PUBLIC_URL.
     */
    Optional<URI> publicUrl();

    interface Local {
        /** The local stack's private key: PKCS8, base64, as deploy/local/up writes .polymux/local/keys/jwt-private.key. */
        Optional<Path> signingKeyFile();

        @WithDefault("https://polymux.local")
        String issuer();

        /** {@code aud} of minted tokens: the audience the services require (their POLYMUX_JWT_AUDIENCE). */
        @WithDefault("polymux")
        String audience();

        /** How long a minted token (and so the session) lasts. */
        @WithDefault("1h")
        Duration tokenLifetime();
    }

    interface Session {
        /** Sessions held at most; beyond it the oldest goes (the signing-in person's own first). */
        @WithDefault("1000")
        int max();

        /** Sessions one person (tenant and subject) holds at most; beyond it their oldest goes. */
        @WithDefault("10")
        int perSubject();

        /**
         * OIDC: how long a session lasts at most while its refresh token keeps renewing the access token; without a
         * refresh token the session ends with the access token.
         */
        @WithDefault("8h")
        Duration lifetime();

        /** OIDC: the access token is renewed when it has less than this left. */
        @WithDefault("30s")
        Duration refreshAhead();
    }
}
