package dev.polymux.connector.conformance;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.sdk.ToolOutcome;
import io.smallrye.mutiny.Uni;

/**
 * A deliberately careless OAuth connector, the test double that shows the conformance kit failing. It gets the code
 * flow right, and then makes four mistakes peers make: it logs the refresh token, drops the old refresh token when a
 * refresh brings none, lets a token without expires_in expire at once (renewable or not), and treats invalid_grant as a passing error.
 */
class CarelessOAuthConnector implements ConnectorHandler {

    private static final Logger LOG = Logger.getLogger(CarelessOAuthConnector.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OAuthConformanceKit.ProviderEndpoints endpoints;
    private final OAuthClientRegistration client;

    CarelessOAuthConnector(OAuthConformanceKit.ProviderEndpoints endpoints, OAuthClientRegistration client) {
        this.endpoints = endpoints;
        this.client = client;
    }

    @Override
    public String id() {
        return "careless";
    }

    @Override
    public String label() {
        return "Careless";
    }

    @Override
    public List<String> scopes() {
        return List.of("openid");
    }

    @Override
    public URI buildAuthorizeUrl(String state, URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        return URI.create(endpoints.authorizationUrl() + "?" + form(Map.of("response_type", "code", "client_id", client.clientId(),
                "redirect_uri", redirectUri.toString(), "state", state, "scope", String.join(" ", requestedScopes),
                "code_challenge", codeChallenge, "code_challenge_method", "S256")));
    }

    @Override
    public Uni<TokenSet> exchangeCode(String code, URI redirectUri, String codeVerifier) {
        Map<String, String> params = new java.util.HashMap<>(Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", redirectUri.toString()));
        if (codeVerifier != null) {
            params.put("code_verifier", codeVerifier);
        }
        return token(params);
    }

    @Override
    public Uni<TokenSet> refresh(TokenSet previous) {
        LOG.info("Refreshing with refresh token " + previous.refreshToken().reveal()); // mistake 1
        return token(Map.of("grant_type", "refresh_token", "refresh_token", previous.refreshToken().reveal())); // mistake 2
    }

    @Override
    public Uni<ToolOutcome> dispatchTool(String tool, JsonNode args, Credentials credentials, DispatchContext context) {
        return Uni.createFrom().item(new ToolOutcome.Failed(404, "no tools"));
    }

    private Uni<TokenSet> token(Map<String, String> params) {
        return Uni.createFrom().completionStage(() -> HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(endpoints.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (client.clientId() + ":" + client.clientSecret().reveal()).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(form(params))).build(), HttpResponse.BodyHandlers.ofString()))
                .map(response -> {
                    JsonNode body = read(response.body());
                    if (response.statusCode() != 200) {
                        throw GrantException.transientFailure("Token request failed", Optional.empty()); // mistake 4
                    }
                    Instant expiresAt = Instant.now().plusSeconds(body.path("expires_in").asLong(0)); // mistake 3
                    return new TokenSet(Secret.of(body.path("access_token").asText()),
                            body.hasNonNull("refresh_token") ? Secret.of(body.get("refresh_token").asText()) : null,
                            body.path("token_type").asText(null), expiresAt, List.of(), Map.of());
                });
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
