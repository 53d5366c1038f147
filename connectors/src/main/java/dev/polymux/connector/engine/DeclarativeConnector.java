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
 * A connector that is nothing but its manifest: its grant through {@link DeclarativeGrant} (for oauth connectors)
 * and its tools through {@link HttpToolEngine}.
 */
public final class DeclarativeConnector implements ConnectorHandler {

    private final JsonNode manifest;
    private final DeclarativeGrant grant;
    private final HttpToolEngine tools;

    private DeclarativeConnector(JsonNode manifest, DeclarativeGrant grant, HttpToolEngine tools) {
        this.manifest = manifest;
        this.grant = grant;
        this.tools = tools;
    }

    /**
     * @param manifest a manifest that passed {@link dev.polymux.connector.manifest.ManifestValidator}
     * @param client   the OAuth client registered with the provider; null for vault connectors
     */
    public static Uni<DeclarativeConnector> create(JsonNode manifest, OAuthClientRegistration client, DeclarativeOAuth oauth,
            HttpToolEngine tools) {
        if (!"oauth".equals(manifest.path("kind").asText())) {
            return Uni.createFrom().item(new DeclarativeConnector(manifest, null, tools));
        }
        return DeclarativeGrant.create(manifest, client, oauth).map(grant -> new DeclarativeConnector(manifest, grant, tools));
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
        return grant == null ? List.of() : grant.settings().scopes();
    }

    @Override
    public ConnectorHandler withOAuthClient(OAuthClientRegistration client) {
        return new DeclarativeConnector(manifest, requireGrant().withClient(client), tools);
    }

    @Override
    public java.util.Optional<String> issuer() {
        return grant == null ? java.util.Optional.empty() : grant.issuer();
    }

    @Override
    public boolean issuerInEveryResponse() {
        return grant != null && grant.issuerInEveryResponse();
    }

    @Override
    public URI buildAuthorizeUrl(String state, URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        return requireGrant().buildAuthorizeUrl(state, redirectUri, codeChallenge, requestedScopes);
    }

    @Override
    public Uni<TokenSet> exchangeCode(String code, URI redirectUri, String codeVerifier) {
        return requireGrant().exchangeCode(code, redirectUri, codeVerifier);
    }

    @Override
    public Uni<TokenSet> refresh(TokenSet previous) {
        return requireGrant().refresh(previous);
    }

    @Override
    public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
        return tools.dispatch(manifest, tool, args, credentials, context);
    }

    private DeclarativeGrant requireGrant() {
        if (grant == null) {
            throw new UnsupportedOperationException("Connector " + id() + " is a " + manifest.path("kind").asText()
                    + " connector; it has no OAuth grant");
        }
        return grant;
    }
}
