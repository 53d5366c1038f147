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

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.connector.sdk.ConnectorNotConfiguredException;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.net.ProviderHttp;

/**
 * Standard OAuth2/OIDC from a manifest alone: the authorize URL (state, PKCE S256, scopes, extra parameters), and
 * code exchange, refresh and client-credentials requests through quarkus-oidc-client, with one client per connector
 * version and OAuth client, created at run time and cached (bounded). OIDC discovery fills the endpoints; its
 * documents are kept for a while, not for ever.
 * <p>
 * Every endpoint passes the {@link AddressGuard} right before it is called (https, public addresses only unless an
 * operator allowed a host). Discovery documents are fetched through {@link ProviderHttp}, so that connection goes to
 * the checked address; token requests go through quarkus-oidc-client, which resolves the name again itself: there
 * the check comes right before the request, a narrow rebinding window that pinning does not close yet. Every provider
 * call has a deadline: a refresh that hangs must not outlive the lease
 * that protects its refresh token.
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

    /** A discovery document larger than this is not one. */
    private static final int MAX_DISCOVERY_BYTES = 256 * 1024;

    private final OidcClients oidcClients;
    private final ProviderHttp http;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Options options;
    private final Cache<String, Uni<OidcClient>> clients;
    private final Cache<String, Uni<Endpoints>> endpoints;

    /**
     * Where the provider's endpoints are, from the manifest or its OIDC discovery document; the issuer when the
     * manifest or the document names one, and whether the provider promises {@code iss} in its redirects (RFC 9207).
     */
    public record Endpoints(String authorizationUrl, String tokenUrl, String issuer, boolean issParameterSupported) {
        public Endpoints(String authorizationUrl, String tokenUrl) {
            this(authorizationUrl, tokenUrl, null, false);
        }
    }

    /**
     * How the engine reaches providers: the address guard, the deadline of a token request, how long a discovery
     * document is kept, and how many clients and documents are kept at most.
     */
    public record Options(AddressGuard guard, java.time.Duration tokenTimeout, java.time.Duration discoveryTtl, int maxCached) {
    }

    /**
     * @param http the guarded provider client, for discovery documents (token requests go through quarkus-oidc-client,
     *             after the guard checked the token endpoint)
     */
    public DeclarativeOAuth(OidcClients oidcClients, ProviderHttp http, ObjectMapper mapper, Clock clock, Options options) {
        this.oidcClients = oidcClients;
        this.http = http;
        this.mapper = mapper;
        this.clock = clock;
        this.options = options;
        // A client evicted (cache full, or a rotated secret made a new one) is closed, so its HTTP pool goes with it.
        this.clients = Caffeine.newBuilder().maximumSize(options.maxCached())
                .<String, Uni<OidcClient>>removalListener((key, client, cause) -> {
                    if (client != null) {
                        client.subscribe().with(DeclarativeOAuth::close, ignored -> {
                        });
                    }
                }).build();
        this.endpoints = Caffeine.newBuilder().maximumSize(options.maxCached()).expireAfterWrite(options.discoveryTtl()).build();
    }

    public Uni<Endpoints> endpoints(OAuthSettings settings) {
        if (settings.discoveryUrl() == null) {
            return guarded(new Endpoints(settings.authorizationUrl(), settings.tokenUrl(), settings.issuer(), false), settings);
        }
        String url = settings.discoveryUrl();
        return endpoints.get(url, key -> discoveryDocument(key, settings)
                .map(response -> {
                    if (response.status() != 200) {
                        throw GrantException.transientFailure("The OIDC discovery document of " + settings.label()
                                + " answered HTTP " + response.status(), Optional.empty());
                    }
                    if (response.cut() || response.body().length() > MAX_DISCOVERY_BYTES) {
                        throw GrantException.transientFailure("The OIDC discovery document of " + settings.label() + " is larger than "
                                + MAX_DISCOVERY_BYTES / 1024 + " KiB; it is not one.", Optional.empty());
                    }
                    JsonNode document = readJson(response.body().toString());
                    String issuer = document.path("issuer").asText(null);
                    if (settings.issuer() != null && issuer != null && !settings.issuer().equals(issuer)) {
                        throw GrantException.transientFailure("The OIDC discovery document of " + settings.label() + " names the issuer "
                                + issuer + ", not " + settings.issuer() + " as its manifest says.", Optional.empty());
                    }
                    return new Endpoints(document.path("authorization_endpoint").asText(null), document.path("token_endpoint").asText(null),
                            settings.issuer() != null ? settings.issuer() : issuer,
                            document.path("authorization_response_iss_parameter_supported").asBoolean(false));
                })
                .flatMap(found -> guarded(found, settings))
                .onFailure().invoke(() -> endpoints.invalidate(key))
                .memoize().indefinitely());
    }

    /**
     * Endpoints whose URLs the guard accepts as URLs (https, no user information). The token endpoint's address is
     * checked again right before every request; the authorization URL is opened by the person's browser, not by us.
     */
    private Uni<Endpoints> guarded(Endpoints found, OAuthSettings settings) {
        if (found.tokenUrl() == null || (found.authorizationUrl() == null && !settings.clientCredentialsGrant())) {
            return Uni.createFrom().failure(GrantException.transientFailure("The OIDC discovery document of " + settings.label()
                    + " names no authorization or token endpoint.", Optional.empty()));
        }
        try {
            options.guard().checkUrl(URI.create(found.tokenUrl()), "the token endpoint of " + settings.label());
            if (found.authorizationUrl() != null) {
                options.guard().checkUrl(URI.create(found.authorizationUrl()), "the authorization endpoint of " + settings.label());
            }
        } catch (AddressGuard.AddressRefusedException refused) {
            return Uni.createFrom().failure(new ConnectorNotConfiguredException(refused.getMessage()));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new ConnectorNotConfiguredException("An endpoint of " + settings.label() + " is not a URL."));
        }
        return Uni.createFrom().item(found);
    }

    /**
     * The discovery document, through the guarded provider client: its address checked and the connection pinned to
     * it, no redirect followed, the body never read beyond the client's cap.
     */
    private Uni<ProviderHttp.Response> discoveryDocument(String url, OAuthSettings settings) {
        String what = "the OIDC discovery document of " + settings.label();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new ConnectorNotConfiguredException("The address of " + what + " is not a URL."));
        }
        return http.send(new ProviderHttp.Request(io.vertx.core.http.HttpMethod.GET, uri,
                io.vertx.core.MultiMap.caseInsensitiveMultiMap().set("Accept", "application/json"), null, what),
                options.tokenTimeout(), status -> status == 200)
                .onFailure(AddressGuard.AddressRefusedException.class).transform(refused -> new ConnectorNotConfiguredException(refused.getMessage()));
    }

    private Uni<Void> guard(String url, String what) {
        try {
            return options.guard().check(URI.create(url), what)
                    .onFailure(AddressGuard.AddressRefusedException.class).transform(refused -> new ConnectorNotConfiguredException(refused.getMessage()));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new ConnectorNotConfiguredException("The address of " + what + " is not a URL."));
        }
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
        Map<String, String> params = codeParams(settings, code, redirectUri, codeVerifier);
        return tokenRequest(settings, client, Grant.Type.CODE, oidc -> oidc.getTokens(params))
                .map(tokens -> toTokenSet(settings, tokens, null))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    /**
     * A code exchange with a client made for this one request and closed after it, never cached: for manifests that
     * are not published (test-connector), whose endpoints and client come from the person asking.
     */
    public Uni<TokenSet> exchangeCodeOnce(OAuthSettings settings, OAuthClientRegistration client, String code, URI redirectUri,
            String codeVerifier) {
        Map<String, String> params = codeParams(settings, code, redirectUri, codeVerifier);
        try {
            requireConfigured(settings, client);
        } catch (ConnectorNotConfiguredException e) {
            return Uni.createFrom().failure(e);
        }
        return withinTokenDeadline(settings, endpoints(settings)
                .flatMap(found -> guard(found.tokenUrl(), "the token endpoint of " + settings.label()).replaceWith(found))
                .flatMap(found -> newClient(found, settings, client, Grant.Type.CODE, "once-" + java.util.UUID.randomUUID()))
                .flatMap(oidc -> oidc.getTokens(params).eventually(() -> close(oidc))))
                .map(tokens -> toTokenSet(settings, tokens, null))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    /** The authorization-code grant's parameters: the connector's token parameters, the code, redirect URI and verifier. */
    private static Map<String, String> codeParams(OAuthSettings settings, String code, URI redirectUri, String codeVerifier) {
        Map<String, String> params = new HashMap<>(settings.tokenParams());
        params.put("code", code);
        params.put("redirect_uri", redirectUri.toString());
        if (codeVerifier != null) {
            params.put("code_verifier", codeVerifier);
        }
        return params;
    }

    /**
     * A token request: refused at once (no request, no lookup) when no OAuth client is set up, then after the guard
     * checked the token endpoint again (DNS may have changed), within the deadline.
     */
    private Uni<Tokens> tokenRequest(OAuthSettings settings, OAuthClientRegistration registration, Grant.Type grant,
            java.util.function.Function<OidcClient, Uni<Tokens>> request) {
        try {
            requireConfigured(settings, registration);
        } catch (ConnectorNotConfiguredException e) {
            return Uni.createFrom().failure(e);
        }
        return withinTokenDeadline(settings, endpoints(settings)
                .flatMap(found -> guard(found.tokenUrl(), "the token endpoint of " + settings.label()))
                .flatMap(ignored -> client(settings, registration, grant))
                .flatMap(oidc -> request.apply(oidc)));
    }

    /** A token request that has not answered within the deadline is a transient failure: it must not outlive its lease. */
    private Uni<Tokens> withinTokenDeadline(OAuthSettings settings, Uni<Tokens> request) {
        return request.ifNoItem().after(options.tokenTimeout()).failWith(() -> GrantException.transientFailure("The token endpoint of "
                + settings.label() + " did not answer within " + options.tokenTimeout().toSeconds() + " s; try again shortly.",
                Optional.empty()));
    }

    /** A refresh-token grant, or for client-credentials connectors a new token request. */
    public Uni<TokenSet> refresh(OAuthSettings settings, OAuthClientRegistration client, TokenSet previous) {
        if (settings.clientCredentialsGrant()) {
            return clientCredentials(settings, client);
        }
        if (previous == null || !previous.hasRefreshToken()) {
            return Uni.createFrom().failure(GrantException.broken(settings.brokenGrantMessage(), "no_refresh_token"));
        }
        return tokenRequest(settings, client, Grant.Type.CODE,
                oidc -> oidc.refreshTokens(previous.refreshToken().reveal(), settings.refreshParams()))
                .map(tokens -> toTokenSet(settings, tokens, previous))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    public Uni<TokenSet> clientCredentials(OAuthSettings settings, OAuthClientRegistration client) {
        return tokenRequest(settings, client, Grant.Type.CLIENT, oidc -> oidc.getTokens(settings.tokenParams()))
                .map(tokens -> toTokenSet(settings, tokens, null))
                .onFailure().transform(failure -> toGrantException(settings, failure));
    }

    /** An operator must register Polymux with the provider and configure the client before anyone can connect. */
    private static void requireConfigured(OAuthSettings settings, OAuthClientRegistration client) {
        if (client == null || client.clientId().isBlank()) {
            throw new ConnectorNotConfiguredException(settings.label() + " is not set up on this platform yet: an operator has to register "
                    + "an OAuth client with the provider and store it (PUT /admin/oauth-clients/" + settings.connectorId()
                    + ", or polymux.connectors.oauth-clients.\"" + settings.connectorId() + "\".client-id and client-secret), or the "
                    + "tenant brings its own (PUT /tenants/{tenant}/oauth-clients/" + settings.connectorId() + ").");
        }
    }

    private Uni<OidcClient> client(OAuthSettings settings, OAuthClientRegistration registration, Grant.Type grant) {
        // Keyed by everything the client is built from: a connector moved to another token endpoint, or a client whose
        // secret was replaced, gets a new client.
        String id = settings.key() + "|" + (settings.tokenUrl() != null ? settings.tokenUrl() : settings.discoveryUrl())
                + "|" + registration.clientId() + "|" + registration.secretFingerprint() + "|" + grant;
        return clients.get(id, key -> endpoints(settings).flatMap(found -> newClient(found, settings, registration, grant, key))
                .onFailure().invoke(() -> clients.invalidate(key))
                .memoize().indefinitely());
    }

    /** Token clients and discovery documents held now (tests: both caches stay bounded). */
    long cachedEntries() {
        clients.cleanUp();
        endpoints.cleanUp();
        return clients.estimatedSize() + endpoints.estimatedSize();
    }

    private static void close(OidcClient client) {
        try {
            client.close();
        } catch (java.io.IOException | RuntimeException e) {
            // Closing frees its HTTP pool; nothing depends on it succeeding.
        }
    }

    private Uni<OidcClient> newClient(Endpoints found, OAuthSettings settings, OAuthClientRegistration registration, Grant.Type grant,
            String id) {
        URI token = URI.create(found.tokenUrl());
        var builder = OidcClientConfig.builder()
                .id(id)
                .authServerUrl(token.getScheme() + "://" + token.getAuthority())
                .discoveryEnabled(false)
                .tokenPath(found.tokenUrl())
                .clientId(registration.clientId())
                .connectionTimeout(options.tokenTimeout())
                .grant(grant)
                .scopes(grant == Grant.Type.CLIENT ? settings.defaultScopes() : List.of());
        if (!registration.clientSecret().isEmpty()) {
            builder.credentials().clientSecret(registration.clientSecret().reveal(),
                    settings.basicClientAuthentication() ? Method.BASIC : Method.POST).end();
        }
        return oidcClients.newClient(builder.build());
    }

    private TokenSet toTokenSet(OAuthSettings settings, Tokens tokens, TokenSet previous) {
        String error = tokens.get("error");
        if (tokens.getAccessToken() == null || error != null) {
            // An error inside an HTTP 200 body (GitHub does this): not a token set.
            GrantException failure = classify(settings, error);
            throw error == null ? GrantException.broken(settings.brokenGrantMessage(), "no_access_token") : failure;
        }
        Instant now = clock.instant();
        // No expires_in: where the token can be renewed (a refresh token, kept or new, or client credentials) it gets the
        // connector's default lifetime, so it is renewed ahead of time; with nothing to renew it by it never expires
        // (GitHub OAuth apps), and only the provider's 401 says it is gone.
        boolean renewable = tokens.getRefreshToken() != null || settings.clientCredentialsGrant()
                || (settings.keepRefreshTokenWhenMissing() && previous != null && previous.hasRefreshToken());
        Instant expiresAt = tokens.getAccessTokenExpiresAt() != null ? Instant.ofEpochSecond(tokens.getAccessTokenExpiresAt())
                : renewable ? now.plus(settings.defaultTokenLifetime()) : null;
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
