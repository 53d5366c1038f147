package dev.polymux.connector.sdk;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * A connector's code, in Java. Implement it as an {@code @ApplicationScoped} bean and it is registered by its
 * {@link #id()} ({@link ConnectorRegistry}). Standard OAuth2/OIDC providers and HTTP tools need no handler: the
 * declarative engine runs them from the manifest.
 * <p>
 * Failures of the OAuth operations are {@link GrantException}s (broken grant with a sentence for a person, or a
 * transient provider problem). Tool calls end in a {@link ToolOutcome}; a handler does not throw for provider
 * errors. Nothing a handler throws, returns as a message or logs may contain a secret value.
 */
public interface ConnectorHandler {

    /** The connector id, as in manifests: lower case, digits, dashes. */
    String id();

    /** The name people see. */
    String label();

    /** Every scope this connector may request. */
    List<String> scopes();

    /**
     * The provider URL the installer's browser goes to. {@code state} is opaque and single-use; {@code codeChallenge}
     * is the PKCE S256 challenge, null when the connector does not use PKCE.
     */
    default URI buildAuthorizeUrl(String state, URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        throw new UnsupportedOperationException("Connector " + id() + " does not use an OAuth authorization redirect");
    }

    /** Exchanges the callback code for tokens, with the same redirect URI and the PKCE verifier (or null). */
    default Uni<TokenSet> exchangeCode(String code, URI redirectUri, String codeVerifier) {
        return Uni.createFrom().failure(new UnsupportedOperationException("Connector " + id() + " does not exchange codes"));
    }

    /**
     * A fresh token set for the grant. {@code previous} is the current one (its refresh token, when it has one, is
     * what providers expect; client-credentials grants have none and are requested anew). The result keeps the old
     * refresh token when the provider sent none ({@link TokenSet#keepingRefreshTokenOf}).
     */
    default Uni<TokenSet> refresh(TokenSet previous) {
        return Uni.createFrom().failure(new UnsupportedOperationException("Connector " + id() + " does not refresh tokens"));
    }

    /**
     * The provider sent the installer back with an error instead of a code ({@code error=access_denied} and friends,
     * RFC 6749 section 4.1.2.1). Returns the failure with a sentence the installer understands; the provider's own
     * description is not shown (it is not ours to vouch for).
     */
    /**
     * The authorization server's issuer identifier: the {@code iss} of an authorization response (RFC 9207) must
     * equal it. Empty when the connector names none and its provider publishes no discovery document.
     */
    default java.util.Optional<String> issuer() {
        return java.util.Optional.empty();
    }

    /**
     * Whether the provider promises {@code iss} in every authorization response (its metadata says
     * {@code authorization_response_iss_parameter_supported}); then a response without it is refused.
     */
    default boolean issuerInEveryResponse() {
        return false;
    }

    /**
     * This handler running its grant with another OAuth client: a tenant's own, or the platform's as registered over
     * REST. A handler whose grant is not OAuth, or that cannot take another client, refuses rather than use the wrong
     * one.
     */
    default ConnectorHandler withOAuthClient(dev.polymux.connector.engine.OAuthClientRegistration client) {
        throw new ConnectorNotConfiguredException("Connector " + id() + " cannot run its grant with a registered OAuth client.");
    }

    default GrantException authorizationFailed(String error, String description) {
        if ("access_denied".equals(error)) {
            return GrantException.denied("Access to " + label() + " was not granted. Connect again and allow access to continue.", error);
        }
        return GrantException.broken(label() + " could not complete the authorization (" + error + "). Try connecting again; "
                + "if it keeps failing, the connector may be misconfigured.", error);
    }

    /** Runs one tool call against the provider. Arguments were validated against the tool's input schema. */
    Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context);

    /** Setup steps of an integration connector, in order; none for vault and OAuth connectors. */
    default List<SetupStep> setupSteps() {
        return List.of();
    }
}
