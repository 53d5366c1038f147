package dev.polymux.connector.engine;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.runtime.OidcClientConfig.Grant;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.ext.web.client.WebClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;

/**
 * Standard OAuth2/OIDC from a manifest alone: the authorize URL (state, PKCE S256, scopes, extra parameters), and
 * code exchange, refresh and client-credentials requests through quarkus-oidc-client, with one client per connector
 * version and OAuth client, created at run time and cached. OIDC discovery fills the endpoints.
 * <p>
 * Provider quirks handled here: a token response without expires_in gets the connector's default lifetime; a refresh
 * without a refresh token keeps the old one; an error inside an HTTP 200 body is an error. Token endpoint failures
 * become {@link GrantException}s: invalid_grant and friends are BROKEN (with the connector's sentence), 5xx and
 * network failures TRANSIENT.
 */
public class DeclarativeOAuth {

    /**
     * OAuth errors after which the grant is unusable until a person reconnects (RFC 6749 section 5.2, plus GitHub's
     * names for the same cases).
     */
    private static final List<String> BREAKING_ERRORS = List.of("invalid_grant", "unauthorized_client", "invalid_client",
            "invalid_scope", "invalid_request", "unsupported_grant_type", "access_denied", "bad_verification_code",
            "incorrect_client_credentials");
    private static final Pattern OAUTH_ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([A-Za-z0-9_.-]+)\"");

    private final OidcClients oidcClients;
    private final WebClient webClient;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Map<String, Uni<OidcClient>> clients = new ConcurrentHashMap<>();
    private final Map<String, Uni<Endpoints>> endpoints = new ConcurrentHashMap<>();

    /** Where the provider's endpoints are; from the manifest, or from its OIDC discovery document. */
    public record Endpoints(String authorizationUrl, String tokenUrl) {
    }

    public DeclarativeOAuth(OidcClients oidcClients, WebClient webClient, ObjectMapper mapper, Clock clock) {
        this.oidcClients = oidcClients;
        this.webClient = webClient;
        this.mapper = mapper;
        this.clock = clock;
    }

    public Uni<Endpoints> endpoints(OAuthSettings settings) {
        if (settings.discoveryUrl() == null) {
            return Uni.createFrom().item(new Endpoints(settings.authorizationUrl(), settings.tokenUrl()));
        }
        return endpoints.computeIfAbsent(settings.discoveryUrl(), url -> webClient.getAbs(url).send()
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw GrantException.transientFailure("The OIDC discovery document of " + settings.label()
                                + " answered HTTP " + response.statusCode(), Optional.empty());
                    }
                    JsonNode document = readJson(response.bodyAsString());
                    return new Endpoints(document.path("authorization_endpoint").asText(null),
                            document.path("token_endpoint").asText(null));
                })
                .memoize().indefinitely()
                .onFailure().invoke(() -> endpoints.remove(url)));
    }

    /**
     * The provider URL for the installer's browser. Scopes are the connector's defaults plus the requested ones,
     * joined with the connector's separator; extra authorize parameters never override the protocol's own.
     */
    public URI authorizeUrl(Endpoints endpoints, OAuthSettings settings, OAuthClientRegistration client, String state,
            URI redirectUri, String codeChallenge, List<String> requestedScopes) {
        requireConfigured(settings, client);
        Map<String, String> params = new LinkedHashMap<>(settings.authorizeParams());
        params.put("response_type", "code");
        params.put("client_id", client.clientId());
        params.put("redirect_uri", redirectUri.toString());
        params.put("state", state);
        List<String> scopes = new ArrayList<>(settings.defaultScopes());
        requestedScopes.stream().filter(scope -> !scopes.contains(scope)).forEach(scopes::add);
        if (!scopes.isEmpty()) {
            params.put("scope", String.join(settings.scopeSeparator(), scopes));
        }
        if (settings.pkce() && codeChallenge != null) {
            params.put("code_challenge", codeChallenge);
            params.put("code_challenge_method", "S256");
        }
        StringBuilder url = new StringBuilder(endpoints.authorizationUrl());
        char separator = endpoints.authorizationUrl().contains("?") ? '&' : '?';
        for (Map.Entry<String, String> param : params.entrySet()) {
            url.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
            separator = '&';
        }
        return URI.create(url.toString());
    }

    public Uni<TokenSet> exchangeCode(OAuthSettings settings, OAuthClientRegistration client, String code, URI redirectUri,
            String codeVerifier) {
        Map<String, String> params = new HashMap<>(settings.tokenParams());
        params.put("code", code);
        params.put("redirect_uri", redirectUri.toString());
        if (codeVerifier != null) {
            params.put("code_verifier", codeVerifier);
        }
        return client(settings, client, Grant.Type.CODE)
                .flatMap(oidc -> oidc.getTokens(params))
                .map(tokens -> toTokenSet(settings, tokens, null))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    /** A refresh-token grant, or for client-credentials connectors a new token request. */
    public Uni<TokenSet> refresh(OAuthSettings settings, OAuthClientRegistration client, TokenSet previous) {
        if (settings.clientCredentialsGrant()) {
            return clientCredentials(settings, client);
        }
        if (previous == null || !previous.hasRefreshToken()) {
            return Uni.createFrom().failure(GrantException.broken(settings.brokenGrantMessage(), "no_refresh_token"));
        }
        return client(settings, client, Grant.Type.CODE)
                .flatMap(oidc -> oidc.refreshTokens(previous.refreshToken().reveal(), settings.refreshParams()))
                .map(tokens -> toTokenSet(settings, tokens, previous))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    public Uni<TokenSet> clientCredentials(OAuthSettings settings, OAuthClientRegistration client) {
        return client(settings, client, Grant.Type.CLIENT)
                .flatMap(oidc -> oidc.getTokens(settings.tokenParams()))
                .map(tokens -> toTokenSet(settings, tokens, null))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    /** An operator must register Polymux with the provider and configure the client before anyone can connect. */
    private static void requireConfigured(OAuthSettings settings, OAuthClientRegistration client) {
        if (client == null || client.clientId().isBlank()) {
            throw new ConnectorNotConfiguredException(settings.label() + " is not set up on this platform yet: an operator has to register "
                    + "an OAuth client with the provider and set polymux.connectors.oauth-clients.\"" + settings.connectorId()
                    + "\".client-id and client-secret.");
        }
    }

    private Uni<OidcClient> client(OAuthSettings settings, OAuthClientRegistration registration, Grant.Type grant) {
        try {
            requireConfigured(settings, registration);
        } catch (IllegalStateException e) {
            return Uni.createFrom().failure(e);
        }
        // Keyed by everything the client is built from: a connector moved to another token endpoint gets a new client.
        String id = settings.key() + "|" + (settings.tokenUrl() != null ? settings.tokenUrl() : settings.discoveryUrl())
                + "|" + registration.clientId() + "|" + grant;
        return clients.computeIfAbsent(id, key -> endpoints(settings).flatMap(found -> {
            URI token = URI.create(found.tokenUrl());
            OidcClientConfig config = OidcClientConfig.builder()
                    .id(key)
                    .authServerUrl(token.getScheme() + "://" + token.getAuthority())
                    .discoveryEnabled(false)
                    .tokenPath(found.tokenUrl())
                    .clientId(registration.clientId())
                    .credentials().clientSecret(registration.clientSecret().reveal(),
                            settings.basicClientAuthentication() ? Method.BASIC : Method.POST).end()
                    .grant(grant)
                    .scopes(grant == Grant.Type.CLIENT ? settings.defaultScopes() : List.of())
                    .build();
            return oidcClients.newClient(config);
        }).memoize().indefinitely().onFailure().invoke(() -> clients.remove(id)));
    }

    private TokenSet toTokenSet(OAuthSettings settings, Tokens tokens, TokenSet previous) {
        String error = tokens.get("error");
        if (tokens.getAccessToken() == null || error != null) {
            // An error inside an HTTP 200 body (GitHub does this): not a token set.
            GrantException failure = classify(settings, error);
            throw error == null ? GrantException.broken(settings.brokenGrantMessage(), "no_access_token") : failure;
        }
        Instant now = clock.instant();
        Instant expiresAt = tokens.getAccessTokenExpiresAt() != null ? Instant.ofEpochSecond(tokens.getAccessTokenExpiresAt())
                : now.plus(settings.defaultTokenLifetime());
        String scope = tokens.get("scope");
        List<String> scopes = scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("[\\s,]+"));
        Map<String, String> extras = new HashMap<>();
        for (String extra : List.of("id_token", "instance_url", "team_id")) {
            if (tokens.get(extra) != null) {
                extras.put(extra, tokens.get(extra));
            }
        }
        TokenSet fresh = new TokenSet(Secret.of(tokens.getAccessToken()),
                tokens.getRefreshToken() == null ? null : Secret.of(tokens.getRefreshToken()),
                tokens.get("token_type"), expiresAt, scopes, extras);
        return settings.keepRefreshTokenWhenMissing() ? fresh.keepingRefreshTokenOf(previous) : fresh;
    }

    /** The failure as a GrantException; a connector not set up yet stays what it is (no provider was asked). */
    private static RuntimeException toGrantException(OAuthSettings settings, Throwable failure) {
        if (failure instanceof GrantException grant) {
            return grant;
        }
        if (failure instanceof ConnectorNotConfiguredException notConfigured) {
            return notConfigured;
        }
        // quarkus-oidc-client reports a failed token request as an OidcClientException whose message is the
        // response body (the status goes to its log), so the OAuth error code is what there is to go by.
        String message = failure instanceof OidcClientException && failure.getMessage() != null ? failure.getMessage() : "";
        Matcher error = OAUTH_ERROR.matcher(message);
        return classify(settings, error.find() ? error.group(1) : null);
    }

    /** Breaking OAuth errors need a person; anything else (server_error, temporarily_unavailable, no answer) may pass. */
    private static GrantException classify(OAuthSettings settings, String error) {
        if (error != null && BREAKING_ERRORS.contains(error)) {
            return GrantException.broken(settings.brokenGrantMessage(), error);
        }
        return GrantException.transientFailure("The token endpoint of " + settings.label() + " failed"
                + (error == null ? "" : " (" + error + ")") + "; try again shortly.", Optional.empty());
    }

    private JsonNode readJson(String body) {
        try {
            return mapper.readTree(body == null ? "{}" : body);
        } catch (java.io.IOException e) {
            throw GrantException.transientFailure("The OIDC discovery document is not JSON", Optional.empty());
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
