package dev.polymux.console.signin.service;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

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
import io.quarkus.oidc.client.OidcClientException;
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
    /** After the issuer could not be reached, the next renewal waits this long (pages meanwhile use the token they have). */
    private static final Duration RETRY = Duration.ofSeconds(15);
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
    private volatile OidcClient refreshClient;
    private final AtomicBoolean creatingClient = new AtomicBoolean();

    public OidcSignIn(ConsoleConfig config, Config quarkusConfig, SessionStore sessions, OidcClients clients) {
        this.config = config;
        this.quarkusConfig = quarkusConfig;
        this.sessions = sessions;
        this.clients = clients;
    }

    void onStart(@Observes StartupEvent start) {
        if (!enabled()) {
            return;
        }
        LOG.infof("OIDC sign-in is on: issuer %s, client %s", quarkusConfig.getValue("quarkus.oidc.auth-server-url", String.class),
                quarkusConfig.getValue("quarkus.oidc.client-id", String.class));
        if (creatingClient.compareAndSet(false, true)) {
            clients.newClient(clientConfig()).subscribe().with(client -> {
                refreshClient = client;
                creatingClient.set(false);
            }, notYet -> creatingClient.set(false)); // made on first use instead
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
        Instant now = Instant.now();
        Instant tokenExpiresAt = person.expiresAt();
        if (refreshToken == null) { // the session ends with the access token
            return sessions.create(accessToken, null, tokenExpiresAt, null, person.tenant(), person.subject(), person.roles(), tokenExpiresAt);
        }
        return sessions.create(accessToken, refreshToken, tokenExpiresAt, renewAt(now, tokenExpiresAt, config.session().refreshAhead()),
                person.tenant(), person.subject(), person.roles(), now.plus(config.session().lifetime()));
    }

    /**
     * When to renew a token that ends at {@code expiresAt}: {@code ahead} before, but never earlier than half its
     * remaining life, so an issuer's short tokens are not renewed on every page.
     */
    static Instant renewAt(Instant now, Instant expiresAt, Duration ahead) {
        Duration remaining = Duration.between(now, expiresAt);
        Duration lead = remaining.isNegative() ? Duration.ZERO : remaining.dividedBy(2).compareTo(ahead) < 0 ? remaining.dividedBy(2) : ahead;
        return expiresAt.minus(lead);
    }

    /** Whether a session's access token is to be renewed before it is used. */
    public boolean due(ConsoleSession session) {
        return session.refreshToken() != null && session.renewAt() != null && !Instant.now().isBefore(session.renewAt());
    }

    /**
     * The session with a renewed access token; null when the issuer refuses the refresh token (revoked, expired) or
     * the renewed token names another person: the session then ends and the person signs in again. An issuer that
     * cannot be reached or answers with a server error ends nothing: the session keeps its token (valid or not, the
     * services decide) and the renewal is tried again a little later.
     */
    public ConsoleSession renew(ConsoleSession session) {
        Tokens tokens;
        try {
            tokens = client().refreshTokens(session.refreshToken()).await().atMost(ISSUER_TIMEOUT);
        } catch (OidcClientException answered) {
            if (refusedByTheIssuer(answered.getMessage())) { // no message in the log: an issuer's error text may quote what it was sent
                LOG.infof("The issuer refused to renew the access token of %s; the session ends", session);
                return null;
            }
            return later(session, answered);
        } catch (RuntimeException unavailable) { // a timeout, a connection refused, discovery not possible yet
            return later(session, unavailable);
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
        Instant renewAt = renewAt(Instant.now(), person.expiresAt(), config.session().refreshAhead());
        return session.renewed(tokens.getAccessToken(), tokens.getRefreshToken(), person.expiresAt(), renewAt, person.roles());
    }

    /**
     * quarkus-oidc-client reports the token endpoint's answer as "... status: 400, error message: ...": a 4xx is
     * the issuer refusing the grant (RFC 6749 5.2: invalid_grant, invalid_client); a 5xx or none is not an answer.
     */
    static boolean refusedByTheIssuer(String message) {
        return message != null && java.util.regex.Pattern.compile("status: 4\\d\\d").matcher(message).find();
    }

    private static ConsoleSession later(ConsoleSession session, RuntimeException why) {
        LOG.warnf("The issuer could not renew the access token of %s (%s); trying again in %d s", session, why.getClass().getSimpleName(),
                RETRY.toSeconds());
        return session.renewLater(Instant.now().plus(RETRY));
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

    /**
     * quarkus-oidc-client for the refresh grant, from the same issuer and client as sign-in. Made at start without
     * waiting (the issuer may not be up yet), else on first use by one caller at a time; the others do not wait for
     * it but count as "issuer unavailable" and try again later.
     */
    private OidcClient client() {
        OidcClient client = refreshClient;
        if (client != null) {
            return client;
        }
        if (!creatingClient.compareAndSet(false, true)) {
            throw new IllegalStateException("the refresh client is being made");
        }
        try {
            client = clients.newClient(clientConfig()).await().atMost(ISSUER_TIMEOUT);
            refreshClient = client;
            return client;
        } finally {
            creatingClient.set(false);
        }
    }

    private OidcClientConfig clientConfig() {
        var builder = OidcClientConfig.authServerUrl(quarkusConfig.getValue("quarkus.oidc.auth-server-url", String.class))
                .id("console-refresh").clientId(quarkusConfig.getValue("quarkus.oidc.client-id", String.class));
        quarkusConfig.getOptionalValue("quarkus.oidc.credentials.secret", String.class).filter(secret -> !secret.isBlank())
                .ifPresent(builder::credentials);
        return builder.build();
    }
}
