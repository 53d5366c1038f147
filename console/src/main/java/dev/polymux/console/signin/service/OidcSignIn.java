package dev.polymux.console.signin.service;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

import dev.polymux.console.config.ConsoleConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Production sign-in: quarkus-oidc runs the authorization code flow with PKCE against the platform's issuer
 * (quarkus.oidc.*) on /signin/oidc; this turns the person's access token into a console session, and renews it with
 * the refresh token ahead of expiry (quarkus-oidc-client's refresh grant, same issuer and client). The services see
 * the person's own access token and check it themselves: the console reads its claims only to show who is signed in
 * and which tabs apply, the same claims the services read (tenant, groups).
 */
@ApplicationScoped
public class OidcSignIn {

    private static final Logger LOG = Logger.getLogger(OidcSignIn.class);
    private static final Duration ISSUER_TIMEOUT = Duration.ofSeconds(10);
    /** Read only after quarkus-oidc has checked the token (verify-access-token), or straight from the token endpoint. */
    private static final JwtConsumer CLAIMS = new JwtConsumerBuilder().setSkipSignatureVerification().setSkipAllValidators()
            .setDisableRequireSignature().build();

    /** Why a person cannot be signed in, as the page says it. */
    public static final class Refused extends RuntimeException {
        Refused(String sentence) {
            super(sentence, null, false, false);
        }
    }

    private final ConsoleConfig config;
    private final Config quarkusConfig;
    private final SessionStore sessions;
    private final OidcClients clients;
    private OidcClient refreshClient;

    public OidcSignIn(ConsoleConfig config, Config quarkusConfig, SessionStore sessions, OidcClients clients) {
        this.config = config;
        this.quarkusConfig = quarkusConfig;
        this.sessions = sessions;
        this.clients = clients;
    }

    void onStart(@Observes StartupEvent start) {
        if (enabled()) {
            LOG.infof("OIDC sign-in is on: issuer %s, client %s", quarkusConfig.getValue("quarkus.oidc.auth-server-url", String.class),
                    quarkusConfig.getValue("quarkus.oidc.client-id", String.class));
        }
    }

    /** OIDC sign-in needs the issuer and the console's client id; the issuer without OIDC sign-in is a mistake too. */
    static void requireConfigured(ConsoleConfig.SignInMode mode, Optional<String> issuer, Optional<String> clientId) {
        boolean oidc = mode == ConsoleConfig.SignInMode.OIDC;
        if (oidc && issuer.filter(url -> !url.isBlank()).isEmpty()) {
            throw new IllegalStateException("polymux.console.sign-in=oidc needs the platform's issuer: set QUARKUS_OIDC_AUTH_SERVER_URL "
                    + "(quarkus.oidc.auth-server-url), QUARKUS_OIDC_CLIENT_ID and, for a confidential client, QUARKUS_OIDC_CREDENTIALS_SECRET");
        }
        if (oidc && clientId.filter(id -> !id.isBlank()).isEmpty()) {
            throw new IllegalStateException("polymux.console.sign-in=oidc needs the console's client id at the issuer: set QUARKUS_OIDC_CLIENT_ID");
        }
        if (!oidc && issuer.filter(url -> !url.isBlank()).isPresent()) {
            throw new IllegalStateException("quarkus.oidc.auth-server-url is set but polymux.console.sign-in is " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + ": set POLYMUX_CONSOLE_SIGN_IN=oidc to sign people in with the issuer, or unset QUARKUS_OIDC_AUTH_SERVER_URL");
        }
    }

    public boolean enabled() {
        return config.signIn() == ConsoleConfig.SignInMode.OIDC;
    }

    /** The session of a person the issuer has just signed in, from their access token (and refresh token, if any). */
    public ConsoleSession signIn(String accessToken, String refreshToken) {
        if (!enabled()) {
            throw new IllegalStateException("OIDC sign-in is not enabled");
        }
        Person person = person(accessToken);
        Instant tokenExpiresAt = person.expiresAt();
        // With a refresh token the session outlives the access token, up to its lifetime; without, it ends with it.
        Instant sessionEnds = refreshToken == null ? tokenExpiresAt : Instant.now().plus(config.session().lifetime());
        return sessions.create(accessToken, refreshToken, tokenExpiresAt, person.tenant(), person.subject(), person.roles(), sessionEnds);
    }

    /** Whether a session's access token is to be renewed before it is used. */
    public boolean due(ConsoleSession session) {
        return session.refreshToken() != null && !Instant.now().plus(config.session().refreshAhead()).isBefore(session.tokenExpiresAt());
    }

    /**
     * The session with a renewed access token, or null when the issuer refuses (the refresh token was revoked or has
     * expired, or the person no longer has the same tenant): the session then ends and the person signs in again.
     */
    public ConsoleSession renew(ConsoleSession session) {
        Tokens tokens;
        try {
            tokens = client().refreshTokens(session.refreshToken()).await().atMost(ISSUER_TIMEOUT);
        } catch (RuntimeException refused) { // no message: an issuer's error text may quote what it was sent
            LOG.infof("The issuer did not renew the access token of %s (%s); the session ends", session, refused.getClass().getSimpleName());
            return null;
        }
        Person person;
        try {
            person = person(tokens.getAccessToken());
        } catch (Refused notAPerson) {
            LOG.infof("The renewed access token of %s cannot sign anyone in: %s", session, notAPerson.getMessage());
            return null;
        }
        if (!person.tenant().equals(session.tenant()) || !person.subject().equals(session.subject())) {
            LOG.warnf("The renewed access token of %s names another person; the session ends", session);
            return null;
        }
        return session.renewed(tokens.getAccessToken(), tokens.getRefreshToken(), person.expiresAt());
    }

    /** Who an access token names: the claims the services read (sub, tenant, groups) and its expiry. */
    static Person person(String accessToken) {
        JwtClaims claims;
        try {
            claims = CLAIMS.processToClaims(accessToken);
        } catch (InvalidJwtException notAJwt) {
            throw new Refused("The identity provider's access token is not a JWT; the services need one with the claims sub, tenant and groups.");
        }
        try {
            String tenant = claims.getClaimValue("tenant") instanceof String value ? value : null;
            if (tenant == null || LocalSignIn.problem(tenant, "x", List.of("author")) != null) {
                throw new Refused("Your account has no tenant: the identity provider must put a tenant claim (lower-case letters, digits "
                        + "and '-') in the console's access tokens. Ask the platform's administrators.");
            }
            String subject = claims.getSubject();
            if (subject == null || subject.isBlank()) {
                throw new Refused("The identity provider's access token names nobody (no sub claim).");
            }
            if (claims.getExpirationTime() == null) {
                throw new Refused("The identity provider's access token never expires (no exp claim); the console signs in with expiring tokens only.");
            }
            Set<String> roles = new LinkedHashSet<>();
            if (claims.hasClaim("groups") && claims.isClaimValueStringList("groups")) {
                claims.getStringListClaimValue("groups").stream().filter(LocalSignIn.ROLES::contains).forEach(roles::add);
            }
            return new Person(tenant, subject, Set.copyOf(roles), Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
        } catch (MalformedClaimException malformed) {
            throw new Refused("The identity provider's access token has a malformed claim: " + malformed.getMessage());
        }
    }

    record Person(String tenant, String subject, Set<String> roles, Instant expiresAt) {
    }

    /** quarkus-oidc-client for the refresh grant, made on first use from the same issuer and client as sign-in. */
    private synchronized OidcClient client() {
        if (refreshClient == null) {
            var builder = OidcClientConfig.authServerUrl(quarkusConfig.getValue("quarkus.oidc.auth-server-url", String.class))
                    .id("console-refresh").clientId(quarkusConfig.getValue("quarkus.oidc.client-id", String.class));
            quarkusConfig.getOptionalValue("quarkus.oidc.credentials.secret", String.class).filter(secret -> !secret.isBlank())
                    .ifPresent(builder::credentials);
            refreshClient = clients.newClient(builder.build()).await().atMost(ISSUER_TIMEOUT);
        }
        return refreshClient;
    }
}
