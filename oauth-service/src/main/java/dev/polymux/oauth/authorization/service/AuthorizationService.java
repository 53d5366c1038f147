package dev.polymux.oauth.authorization.service;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.connector.engine.Pkce;
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
 * Starting a grant (the provider's authorize URL) and finishing it (the callback). Every refusal is a sentence a
 * person can act on, and a refused callback stores nothing.
 */
@ApplicationScoped
public class AuthorizationService {

    private static final Logger LOG = Logger.getLogger(AuthorizationService.class);

    /**
     * Where the browser goes, until when the link works; or, for a client-credentials connector (no person involved),
     * no link and {@code connected} already.
     */
    public record AuthorizeLink(URI authorizeUrl, Instant expiresAt, boolean connected) {
    }

    /** How a callback ended: where to send the person back (if anywhere) and what to tell them. */
    public record CallbackOutcome(boolean connected, String installationId, String returnUrl, String message) {
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
        return URI.create(config.publicBaseUrl().toString().replaceAll("/+$", "") + OAuthConfig.CALLBACK_PATH);
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
                            .flatMap(tokens -> grants.recordAuthorized(installation, grantHandler.settings(), tokens))
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
                URI url = grantHandler.handler().buildAuthorizeUrl(state, redirectUri(), verifier == null ? null : Pkce.challenge(verifier),
                        scopes(installation));
                return Panache.withTransaction(() -> requests.persist(request)).replaceWith(new AuthorizeLink(url, request.expiresAt, false));
            });
        }).onFailure(ConnectorNotConfiguredException.class)
                .transform(failure -> new ProblemException(ProblemType.UNAVAILABLE, failure.getMessage()));
    }

    /**
     * The provider's redirect. The state is consumed first (unknown, expired or reused: refused, nothing stored),
     * then either the provider's error becomes a sentence, or the code is exchanged and the grant recorded.
     */
    public Uni<CallbackOutcome> callback(String state, String code, String error, String errorDescription) {
        if (state == null || state.isBlank()) {
            return Uni.createFrom().failure(new ProblemException(ProblemType.BAD_REQUEST,
                    "This link is incomplete (it has no state). Start connecting again from the app."));
        }
        String stateHash = StateKeys.hash(state);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> requests.consume(stateHash, now)).flatMap(request -> {
            if (request == null) {
                return Panache.withSession(() -> requests.findById(stateHash)).map(known -> {
                    String why = known == null ? "This authorization link is not one of ours."
                            : known.usedAt != null ? "This authorization link was used already; each link works once."
                            : "This authorization link expired.";
                    throw new ProblemException(ProblemType.BAD_REQUEST, why + " Start connecting again from the app.");
                });
            }
            return Panache.withSession(() -> installations.findById(request.installationId)).flatMap(installation -> {
                if (installation == null || installation.removed()) {
                    return Uni.createFrom().item(new CallbackOutcome(false, request.installationId, request.returnUrl,
                            "This connection was uninstalled meanwhile; nothing was connected."));
                }
                return handlers.of(installation).flatMap(grantHandler -> {
                    if (error != null && !error.isBlank()) {
                        GrantException refused = grantHandler.handler().authorizationFailed(error, errorDescription);
                        return Uni.createFrom().item(new CallbackOutcome(false, installation.id, request.returnUrl, refused.getMessage()));
                    }
                    if (code == null || code.isBlank()) {
                        return Uni.createFrom().item(new CallbackOutcome(false, installation.id, request.returnUrl,
                                "The provider sent no authorization code. Try connecting again."));
                    }
                    String verifier;
                    try {
                        verifier = request.sealedVerifier == null ? null : StateKeys.open(state, request.sealedVerifier);
                    } catch (GeneralSecurityException e) {
                        return Uni.createFrom().failure(new IllegalStateException("A PKCE verifier does not open with its own state"));
                    }
                    return grantHandler.handler().exchangeCode(code, URI.create(request.redirectUri), verifier)
                            .flatMap(tokens -> grants.recordAuthorized(installation, grantHandler.settings(), tokens))
                            .map(grant -> new CallbackOutcome(true, installation.id, request.returnUrl,
                                    grantHandler.settings().label() + " is connected."))
                            .onFailure(ConnectorNotConfiguredException.class).recoverWithItem(failure ->
                                    new CallbackOutcome(false, installation.id, request.returnUrl, failure.getMessage()))
                            .onFailure(GrantException.class).recoverWithItem(failure -> {
                                LOG.infof("Code exchange for %s failed (%s)", installation.id, ((GrantException) failure).providerError());
                                return new CallbackOutcome(false, installation.id, request.returnUrl, failure.getMessage());
                            });
                });
            });
        });
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
