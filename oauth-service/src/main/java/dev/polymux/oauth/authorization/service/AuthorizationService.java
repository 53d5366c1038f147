package dev.polymux.oauth.authorization.service;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.connector.engine.Pkce;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.oauth.authorization.AuthorizationRequest;
import dev.polymux.oauth.authorization.repository.AuthorizationRequestRepository;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.service.ConnectorHandlers;
import dev.polymux.oauth.grant.service.GrantService;
import dev.polymux.oauth.installation.KnownInstallation;
import dev.polymux.oauth.installation.repository.KnownInstallationRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Starting a grant (the link for the person's browser), opening it (the start URL: binds the browser, then the
 * provider's authorize URL) and finishing it (the callback). Every refusal is a sentence a person can act on, and a
 * refused callback stores nothing.
 */
@ApplicationScoped
public class AuthorizationService {

    /** The path of the start URL, appended to {@link OAuthConfig#publicBaseUrl()}. */
    public static final String START_PATH = "/oauth/start";

    static final String ANOTHER_BROWSER = "This connection was started in another browser (or the link was opened elsewhere). "
            + "Start connecting again from the app, in this browser.";
    private static final String AGAIN = " Start connecting again from the app.";

    private static final Logger LOG = Logger.getLogger(AuthorizationService.class);

    /**
     * Where the browser goes (oauth-service's start URL), until when the link works; or, for a client-credentials
     * connector (no person involved), no link and {@code connected} already.
     */
    public record AuthorizeLink(URI authorizeUrl, Instant expiresAt, boolean connected) {
    }

    /** An opened link: the provider's authorize URL, and the binder for the browser's cookie (name, value, lifetime). */
    public record Started(URI providerUrl, String cookieName, String binder, Duration validFor) {
    }

    /**
     * How a callback ended: where to send the person back (if anywhere) and what to tell them; {@code cookieName} is
     * the browser's binding cookie, used up now.
     */
    public record CallbackOutcome(boolean connected, String installationId, String returnUrl, String message, String cookieName) {
    }

    private final KnownInstallationRepository installations;
    private final AuthorizationRequestRepository requests;
    private final ConnectorHandlers handlers;
    private final GrantService grants;
    private final OAuthConfig config;
    private final ObjectMapper mapper;

    public AuthorizationService(KnownInstallationRepository installations, AuthorizationRequestRepository requests,
            ConnectorHandlers handlers, GrantService grants, OAuthConfig config, ObjectMapper mapper) {
        this.installations = installations;
        this.requests = requests;
        this.handlers = handlers;
        this.config = config;
        this.grants = grants;
        this.mapper = mapper;
    }

    public URI redirectUri() {
        return URI.create(publicBase() + OAuthConfig.CALLBACK_PATH);
    }

    private String publicBase() {
        return config.publicBaseUrl().toString().replaceAll("/+$", "");
    }

    public Uni<AuthorizeLink> authorize(String tenant, String installationId, String returnUrl, String by) {
        if (returnUrl != null && !allowedReturn(returnUrl)) {
            return Uni.createFrom().failure(ProblemException.invalid("The return URL is not allowed.", List.of(new Problem.InvalidParam(
                    "/returnUrl", "must start with one of the allowed origins " + config.allowedReturnOrigins()))));
        }
        return Panache.withSession(() -> installations.findById(installationId)).flatMap(installation -> {
            if (installation == null || !installation.tenant.equals(tenant) || installation.removed()) {
                throw ProblemException.notFound("There is no OAuth installation " + installationId + " here. If it was created a moment ago, "
                        + "retry shortly: oauth-service learns of installations from the registry's events.");
            }
            return handlers.of(installation).flatMap(grantHandler -> {
                if (grantHandler.settings().clientCredentialsGrant()) {
                    // Machine-to-machine: nothing to redirect; the first token is requested now, and later ones ahead of expiry.
                    return grantHandler.handler().refresh(null)
                            .flatMap(tokens -> grants.recordAuthorized(installation, grantHandler.settings(), tokens, by))
                            .map(grant -> new AuthorizeLink(null, null, true))
                            .onFailure(GrantException.class).transform(failure -> new ProblemException(
                                    ((GrantException) failure).kind() == GrantException.Kind.TRANSIENT ? ProblemType.UNAVAILABLE
                                            : ProblemType.BAD_REQUEST, failure.getMessage()));
                }
                String state = StateKeys.newState();
                String verifier = grantHandler.settings().pkce() ? Pkce.newVerifier() : null;
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                AuthorizationRequest request = new AuthorizationRequest();
                request.stateHash = StateKeys.hash(state);
                request.tenant = tenant;
                request.installationId = installationId;
                request.redirectUri = redirectUri().toString();
                request.returnUrl = returnUrl;
                request.sealedVerifier = verifier == null ? null : StateKeys.seal(state, verifier);
                request.requestedBy = by;
                request.createdAt = now;
                request.expiresAt = now.plus(config.stateValidity());
                // Built now, and dropped, only so that a connector that cannot be used is told to the installer (503)
                // rather than to the person's browser; the start URL builds it again.
                grantHandler.handler().buildAuthorizeUrl(state, redirectUri(), verifier == null ? null : Pkce.challenge(verifier),
                        scopes(installation));
                // The state is a 256-bit secret for the browser; it is never stored (only its hash).
                URI start = URI.create(publicBase() + START_PATH + "?state=" + state);
                return Panache.withTransaction(() -> requests.persist(request)).replaceWith(new AuthorizeLink(start, request.expiresAt, false));
            });
        }).onFailure(ConnectorNotConfiguredException.class)
                .transform(failure -> new ProblemException(ProblemType.UNAVAILABLE, failure.getMessage()));
    }

    /**
     * The start URL, opened by the person's browser: once per link. Records the SHA-256 of a fresh binder for that
     * browser's cookie and answers the provider's authorize URL, built here and never stored.
     */
    public Uni<Started> start(String state) {
        if (state == null || state.isBlank()) {
            return Uni.createFrom().failure(new ProblemException(ProblemType.BAD_REQUEST, "This link is incomplete (it has no state)." + AGAIN));
        }
        String stateHash = StateKeys.hash(state);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return Panache.withSession(() -> requests.findById(stateHash)).flatMap(request -> {
            refuseUnusable(request, now);
            if (request.startedAt != null) {
                throw openedAlready();
            }
            return Panache.withSession(() -> installations.findById(request.installationId)).flatMap(installation -> {
                if (installation == null || installation.removed()) {
                    throw new ProblemException(ProblemType.BAD_REQUEST, "This connection was uninstalled meanwhile; nothing was connected.");
                }
                return handlers.of(installation).flatMap(grantHandler -> {
                    String verifier = verifier(state, request);
                    URI providerUrl = grantHandler.handler().buildAuthorizeUrl(state, URI.create(request.redirectUri),
                            verifier == null ? null : Pkce.challenge(verifier), scopes(installation));
                    String binder = BrowserBinding.newBinder();
                    return Panache.withTransaction(() -> requests.start(stateHash, BrowserBinding.hash(binder), now)).map(started -> {
                        if (started == null) {
                            throw openedAlready(); // another browser opened it a moment ago (or it expired just now)
                        }
                        return new Started(providerUrl, BrowserBinding.cookieName(stateHash), binder, Duration.between(now, started.expiresAt));
                    });
                });
            });
        }).onFailure(ConnectorNotConfiguredException.class)
                .transform(failure -> new ProblemException(ProblemType.UNAVAILABLE, failure.getMessage()))
                .onFailure(GrantException.class) // the provider's discovery document is unreachable or unusable right now
                .transform(failure -> new ProblemException(ProblemType.UNAVAILABLE, failure.getMessage()));
    }

    /**
     * The provider's redirect. Checked before anything changes: the state (unknown, expired or used: refused), the
     * browser (it must present the binder of the browser that opened the link) and the issuer (RFC 9207); a refusal
     * stores nothing and leaves the link as it was. Then the state is consumed, and either the provider's error
     * becomes a sentence, or the code is exchanged and the grant recorded.
     *
     * @param iss           the response's {@code iss} parameter, or null
     * @param browserBinder the value of the browser's binding cookie for this state, or null
     */
    public Uni<CallbackOutcome> callback(String state, String code, String error, String errorDescription, String iss, String browserBinder) {
        if (state == null || state.isBlank()) {
            return Uni.createFrom().failure(new ProblemException(ProblemType.BAD_REQUEST, "This link is incomplete (it has no state)." + AGAIN));
        }
        String stateHash = StateKeys.hash(state);
        String cookieName = BrowserBinding.cookieName(stateHash);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return Panache.withSession(() -> requests.findById(stateHash)).flatMap(known -> {
            refuseUnusable(known, now);
            if (!BrowserBinding.matches(known.browserBinderHash, browserBinder)) {
                LOG.infof("Refused a callback for installation %s: it did not come from the browser that opened the link (%s)",
                        known.installationId, known.browserBinderHash == null ? "the link was never opened" : "no or another binding cookie");
                throw new ProblemException(ProblemType.BAD_REQUEST, ANOTHER_BROWSER);
            }
            return Panache.withSession(() -> installations.findById(known.installationId)).flatMap(installation -> {
                if (installation == null || installation.removed()) {
                    return consume(stateHash, now).map(request -> new CallbackOutcome(false, request.installationId, request.returnUrl,
                            "This connection was uninstalled meanwhile; nothing was connected.", cookieName));
                }
                return handlers.of(installation).flatMap(grantHandler -> {
                    String mixUp = issuerProblem(grantHandler.handler(), grantHandler.settings().label(), iss);
                    if (mixUp != null) {
                        LOG.infof("Refused a callback for installation %s: %s", installation.id,
                                iss == null ? "no iss although the provider always sends it" : "its iss is not the connector's issuer");
                        throw new ProblemException(ProblemType.BAD_REQUEST, mixUp);
                    }
                    return consume(stateHash, now).flatMap(request -> finish(request, installation, grantHandler, state, code, error,
                            errorDescription, cookieName));
                });
            });
        });
    }

    private Uni<CallbackOutcome> finish(AuthorizationRequest request, KnownInstallation installation, ConnectorHandlers.GrantHandler grantHandler,
            String state, String code, String error, String errorDescription, String cookieName) {
        if (error != null && !error.isBlank()) {
            GrantException refused = grantHandler.handler().authorizationFailed(error, errorDescription);
            return Uni.createFrom().item(new CallbackOutcome(false, installation.id, request.returnUrl, refused.getMessage(), cookieName));
        }
        if (code == null || code.isBlank()) {
            return Uni.createFrom().item(new CallbackOutcome(false, installation.id, request.returnUrl,
                    "The provider sent no authorization code. Try connecting again.", cookieName));
        }
        String verifier = verifier(state, request);
        return grantHandler.handler().exchangeCode(code, URI.create(request.redirectUri), verifier)
                .flatMap(tokens -> grants.recordAuthorized(installation, grantHandler.settings(), tokens, request.requestedBy))
                .map(grant -> new CallbackOutcome(true, installation.id, request.returnUrl,
                        grantHandler.settings().label() + " is connected.", cookieName))
                .onFailure(ConnectorNotConfiguredException.class).recoverWithItem(failure ->
                        new CallbackOutcome(false, installation.id, request.returnUrl, failure.getMessage(), cookieName))
                .onFailure(GrantException.class).recoverWithItem(failure -> {
                    LOG.infof("Code exchange for %s failed (%s)", installation.id, ((GrantException) failure).providerError());
                    return new CallbackOutcome(false, installation.id, request.returnUrl, failure.getMessage(), cookieName);
                });
    }

    /**
     * RFC 9207: the {@code iss} of an authorization response must be the connector's issuer; a response with an
     * {@code iss} nothing can be compared to, or without one although the provider always sends it, is refused too.
     * The sentence to refuse with, or null when the response may be used. The received value is never echoed.
     */
    static String issuerProblem(ConnectorHandler handler, String label, String iss) {
        Optional<String> issuer = handler.issuer();
        if (iss != null) {
            if (issuer.isEmpty()) {
                return "The answer names an authorization server (iss), but the " + label + " connector does not name its issuer, so it "
                        + "cannot be checked and was refused; nothing was connected. The connector's author has to add auth.issuer to its manifest.";
            }
            if (!issuer.get().equals(iss)) {
                return "This answer did not come from " + label + "'s authorization server (its issuer is not " + label + "'s), so it was "
                        + "refused and nothing was connected." + AGAIN;
            }
            return null;
        }
        if (handler.issuerInEveryResponse()) {
            return "This answer did not say which authorization server sent it (no iss), although " + label + "'s always does, so it was "
                    + "refused and nothing was connected." + AGAIN;
        }
        return null;
    }

    /** Marks the request used; null (another callback won the race, or it expired a moment ago) is refused in words. */
    private Uni<AuthorizationRequest> consume(String stateHash, Instant now) {
        return Panache.withTransaction(() -> requests.consume(stateHash, now)).flatMap(request -> request != null
                ? Uni.createFrom().item(request)
                : Panache.withSession(() -> requests.findById(stateHash)).map(known -> {
                    refuseUnusable(known, now);
                    throw new ProblemException(ProblemType.BAD_REQUEST, "This authorization link was used already; each link works once." + AGAIN);
                }));
    }

    /** Unknown, used and expired links, in words (a link whose hash is unknown may also have been cleaned up a day after expiry). */
    private static void refuseUnusable(AuthorizationRequest request, Instant now) {
        if (request == null) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "This authorization link is not one of ours." + AGAIN);
        }
        if (request.usedAt != null) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "This authorization link was used already; each link works once." + AGAIN);
        }
        if (!request.expiresAt.isAfter(now)) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "This authorization link expired." + AGAIN);
        }
    }

    private static ProblemException openedAlready() {
        return new ProblemException(ProblemType.BAD_REQUEST, "This connection link was opened already; each link opens once." + AGAIN);
    }

    private static String verifier(String state, AuthorizationRequest request) {
        try {
            return request.sealedVerifier == null ? null : StateKeys.open(state, request.sealedVerifier);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A PKCE verifier does not open with its own state");
        }
    }

    /** scheme://host[:port] of the return URL must be one of the configured origins, exactly. */
    boolean allowedReturn(String returnUrl) {
        try {
            URI uri = URI.create(returnUrl);
            if (uri.getScheme() == null || uri.getHost() == null || uri.getUserInfo() != null) {
                return false;
            }
            String origin = uri.getScheme().toLowerCase() + "://" + uri.getHost().toLowerCase() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
            return config.allowedReturnOrigins().stream().map(allowed -> allowed.replaceAll("/+$", "").toLowerCase()).anyMatch(origin::equals);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private List<String> scopes(KnownInstallation installation) {
        try {
            List<String> scopes = new ArrayList<>();
            mapper.readTree(installation.scopes).forEach(scope -> scopes.add(scope.asText()));
            return scopes;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored scopes are not JSON", e);
        }
    }
}
