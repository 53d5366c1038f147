package dev.polymux.connector.engine;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.sdk.TokenSet;
import io.smallrye.mutiny.Uni;

/**
 * The OAuth grant of one connector as its manifest describes it: settings, resolved endpoints and the OAuth
 * client, over {@link DeclarativeOAuth}. Declarative connectors and Java connectors with a standard grant (such as
 * google-drive) both hand their OAuth operations to it.
 */
public final class DeclarativeGrant {

    private final OAuthSettings settings;
    private final DeclarativeOAuth.Endpoints endpoints;
    private final OAuthClientRegistration client;
    private final DeclarativeOAuth oauth;

    private DeclarativeGrant(OAuthSettings settings, DeclarativeOAuth.Endpoints endpoints, OAuthClientRegistration client,
            DeclarativeOAuth oauth) {
        this.settings = settings;
        this.endpoints = endpoints;
        this.client = client;
        this.oauth = oauth;
    }

    /** Resolves the endpoints first (OIDC discovery), so that building an authorize URL needs no network. */
    public static Uni<DeclarativeGrant> create(JsonNode manifest, OAuthClientRegistration client, DeclarativeOAuth oauth) {
        OAuthSettings settings = OAuthSettings.from(manifest);
        return oauth.endpoints(settings).map(found -> new DeclarativeGrant(settings, found, client, oauth));
    }

    /**
     * For manifests that name their endpoints (no discovery): built at once, without a Uni, so that it can be made
     * where blocking is not allowed (a CDI producer running on an event loop).
     */
    public static DeclarativeGrant withManifestEndpoints(JsonNode manifest, OAuthClientRegistration client, DeclarativeOAuth oauth) {
        OAuthSettings settings = OAuthSettings.from(manifest);
        if (settings.authorizationUrl() == null || settings.tokenUrl() == null) {
            throw new IllegalArgumentException("Connector " + settings.connectorId() + " uses OIDC discovery; create its grant with create()");
        }
        return new DeclarativeGrant(settings, new DeclarativeOAuth.Endpoints(settings.authorizationUrl(), settings.tokenUrl(),
                settings.issuer(), false), client, oauth);
    }

    /** The same grant (settings, endpoints) with another OAuth client. */
    public DeclarativeGrant withClient(OAuthClientRegistration other) {
        return new DeclarativeGrant(settings, endpoints, other, oauth);
    }

    public OAuthSettings settings() {
        return settings;
    }

    public java.util.Optional<String> issuer() {
        return java.util.Optional.ofNullable(endpoints.issuer() != null ? endpoints.issuer() : settings.issuer());
    }

    public boolean issuerInEveryResponse() {
        return endpoints.issParameterSupported();
    }

    public URI buildAuthorizeUrl(String state, URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        return oauth.authorizeUrl(endpoints, settings, client, state, redirectUri, codeChallenge, requestedScopes);
    }

    public Uni<TokenSet> exchangeCode(String code, URI redirectUri, String codeVerifier) {
        return oauth.exchangeCode(settings, client, code, redirectUri, codeVerifier);
    }

    public Uni<TokenSet> refresh(TokenSet previous) {
        return oauth.refresh(settings, client, previous);
    }
}
