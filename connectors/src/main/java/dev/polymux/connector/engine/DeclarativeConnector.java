package dev.polymux.connector.engine;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.sdk.ToolOutcome;
import io.smallrye.mutiny.Uni;

/**
 * A connector that is nothing but its manifest: OAuth through {@link DeclarativeOAuth} (for oauth connectors) and
 * tools through {@link HttpToolEngine}. Made with {@link #create}, which resolves the provider's endpoints first
 * (OIDC discovery), so that {@link #buildAuthorizeUrl} needs no network.
 */
public final class DeclarativeConnector implements ConnectorHandler {

    private final JsonNode manifest;
    private final OAuthSettings oauthSettings;
    private final DeclarativeOAuth.Endpoints endpoints;
    private final OAuthClientRegistration client;
    private final DeclarativeOAuth oauth;
    private final HttpToolEngine tools;

    private DeclarativeConnector(JsonNode manifest, OAuthSettings oauthSettings, DeclarativeOAuth.Endpoints endpoints,
            OAuthClientRegistration client, DeclarativeOAuth oauth, HttpToolEngine tools) {
        this.manifest = manifest;
        this.oauthSettings = oauthSettings;
        this.endpoints = endpoints;
        this.client = client;
        this.oauth = oauth;
        this.tools = tools;
    }

    /**
     * @param manifest a manifest that passed {@link dev.polymux.connector.manifest.ManifestValidator}
     * @param client   the OAuth client registered with the provider; null for vault connectors
     */
    public static Uni<DeclarativeConnector> create(JsonNode manifest, OAuthClientRegistration client, DeclarativeOAuth oauth,
            HttpToolEngine tools) {
        if (!"oauth".equals(manifest.path("kind").asText())) {
            return Uni.createFrom().item(new DeclarativeConnector(manifest, null, null, null, oauth, tools));
        }
        OAuthSettings settings = OAuthSettings.from(manifest);
        return oauth.endpoints(settings)
                .map(found -> new DeclarativeConnector(manifest, settings, found, client, oauth, tools));
    }

    @Override
    public String id() {
        return manifest.path("id").asText();
    }

    @Override
    public String label() {
        return manifest.path("label").asText();
    }

    @Override
    public List<String> scopes() {
        return oauthSettings == null ? List.of() : oauthSettings.scopes();
    }

    @Override
    public URI buildAuthorizeUrl(String state, URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        requireOAuth();
        return oauth.authorizeUrl(endpoints, oauthSettings, client, state, redirectUri, codeChallenge, requestedScopes);
    }

    @Override
    public Uni<TokenSet> exchangeCode(String code, URI redirectUri, String codeVerifier) {
        requireOAuth();
        return oauth.exchangeCode(oauthSettings, client, code, redirectUri, codeVerifier);
    }

    @Override
    public Uni<TokenSet> refresh(TokenSet previous) {
        requireOAuth();
        return oauth.refresh(oauthSettings, client, previous);
    }

    @Override
    public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
        return tools.dispatch(manifest, tool, args, credentials, context);
    }

    /** The OAuth settings, with defaults applied; empty for vault connectors. */
    public OAuthSettings oauthSettings() {
        return oauthSettings;
    }

    private void requireOAuth() {
        if (oauthSettings == null) {
            throw new UnsupportedOperationException("Connector " + id() + " is a " + manifest.path("kind").asText()
                    + " connector; it has no OAuth grant");
        }
    }
}
