package dev.polymux.connector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The declarative OAuth engine against a real OAuth2/OIDC server implementation running in process
 * (mock-oauth2-server), through quarkus-oidc-client: code exchange with PKCE, refresh, discovery, client
 * credentials, and the provider quirks and errors that break peers.
 */
@QuarkusTest
class DeclarativeOAuthTest {

    private static final URI REDIRECT = URI.create("https://polymux.example/oauth/callback");
    private static final OAuthClientRegistration CLIENT = new OAuthClientRegistration("polymux-client", Secret.of("client-secret-value"));
    private static MockOAuth2Server server;
    /** Quirky providers' token endpoints (no expires_in, errors in a 200...): what a real server never does. */
    private static WireMockServer quirkyProvider;

    @Inject
    OidcClients oidcClients;

    @Inject
    Vertx vertx;

    private DeclarativeOAuth oauth;

    @BeforeAll
    static void startServer() {
        server = new MockOAuth2Server();
        server.start();
        quirkyProvider = new WireMockServer(options().dynamicPort());
        quirkyProvider.start();
    }

    @AfterAll
    static void stopServer() {
        server.shutdown();
        quirkyProvider.stop();
    }

    @BeforeEach
    void engine() {
        oauth = new DeclarativeOAuth(oidcClients, LocalProviders.http(vertx), new ObjectMapper(), Clock.systemUTC(), LocalProviders.options());
    }

    @Test
    void theAuthorizeUrlCarriesStatePkceScopesAndExtraParams() {
        OAuthSettings settings = settings("acme", true);
        String challenge = Pkce.challenge(Pkce.newVerifier());
        URI url = oauth.authorizeUrl(oauth.endpoints(settings).await().indefinitely(), settings, CLIENT, "state-123", REDIRECT,
                challenge, List.of("write", "read"));
        Map<String, String> query = query(url);
        assertEquals("code", query.get("response_type"));
        assertEquals("polymux-client", query.get("client_id"));
        assertEquals(REDIRECT.toString(), query.get("redirect_uri"));
        assertEquals("state-123", query.get("state"));
        assertEquals("openid read write", query.get("scope"), "defaults first, then requested, no duplicates");
        assertEquals(challenge, query.get("code_challenge"));
        assertEquals("S256", query.get("code_challenge_method"));
        assertEquals("offline", query.get("access_type"));
    }

    @Test
    void aCodeIsExchangedWithItsPkceVerifierAndTheGrantRefreshes() throws Exception {
        OAuthSettings settings = settings("code-flow", true);
        String verifier = Pkce.newVerifier();
        String code = authorize(settings, Pkce.challenge(verifier));

        TokenSet tokens = oauth.exchangeCode(settings, CLIENT, code, REDIRECT, verifier).await().atMost(Duration.ofSeconds(10));
        assertNotNull(tokens.accessToken().reveal());
        assertTrue(tokens.hasRefreshToken(), "the server issued a refresh token");
        assertTrue(tokens.expiresAt().isAfter(Instant.now()), tokens.toString());

        TokenSet refreshed = oauth.refresh(settings, CLIENT, tokens).await().atMost(Duration.ofSeconds(10));
        assertNotEquals(tokens.accessToken().reveal(), refreshed.accessToken().reveal(), "a new access token");
        assertTrue(refreshed.hasRefreshToken());
    }

    @Test
    void aCodeWithTheWrongPkceVerifierIsRefusedAsABrokenGrant() throws Exception {
        OAuthSettings settings = settings("pkce-check", true);
        String code = authorize(settings, Pkce.challenge(Pkce.newVerifier()));

        GrantException e = assertThrows(GrantException.class, () -> oauth.exchangeCode(settings, CLIENT, code, REDIRECT,
                Pkce.newVerifier()).await().atMost(Duration.ofSeconds(10)));

        assertEquals(GrantException.Kind.BROKEN, e.kind());
    }

    @Test
    void aRefreshableTokenResponseWithoutExpiresInGetsTheConnectorsDefaultLifetime() {
        OAuthSettings settings = quirkySettings("no-expiry");
        quirkyTokenEndpoint(200, "{\"access_token\":\"at-without-expiry\",\"token_type\":\"bearer\",\"refresh_token\":\"rt-1\"}");
        Instant before = Instant.now();

        TokenSet tokens = oauth.exchangeCode(settings, CLIENT, "any-code", REDIRECT, null).await().atMost(Duration.ofSeconds(10));

        Instant expected = before.plus(Duration.ofMinutes(30));
        assertFalse(tokens.expiresAt().isBefore(expected), tokens.expiresAt() + " vs " + expected);
        assertTrue(tokens.expiresAt().isBefore(expected.plusSeconds(30)), tokens.expiresAt().toString());
        assertTrue(tokens.hasRefreshToken());
    }

    @Test
    void aTokenWithoutExpiresInAndWithNothingToRenewItByNeverExpires() {
        OAuthSettings settings = quirkySettings("no-expiry-no-refresh");
        quirkyTokenEndpoint(200, "{\"access_token\":\"at-for-ever\",\"token_type\":\"bearer\"}");

        TokenSet tokens = oauth.exchangeCode(settings, CLIENT, "any-code", REDIRECT, null).await().atMost(Duration.ofSeconds(10));

        assertFalse(tokens.expires(), tokens.toString());
        assertFalse(tokens.hasRefreshToken());
    }

    @Test
    void aRefreshResponseWithoutARefreshTokenKeepsTheOldOne() {
        OAuthSettings settings = quirkySettings("no-rotation");
        quirkyTokenEndpoint(200, "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        TokenSet previous = new TokenSet(Secret.of("at-1"), Secret.of("rt-kept"), "Bearer", Instant.now(), List.of("read"), Map.of());

        TokenSet refreshed = oauth.refresh(settings, CLIENT, previous).await().atMost(Duration.ofSeconds(10));

        assertEquals("at-2", refreshed.accessToken().reveal());
        assertEquals("rt-kept", refreshed.refreshToken().reveal());
        assertEquals(List.of("read"), refreshed.scopes(), "an empty scope on refresh keeps the granted scopes");
    }

    @Test
    void invalidGrantBreaksTheGrantWithTheConnectorsSentence() {
        OAuthSettings settings = quirkySettings("revoked");
        quirkyTokenEndpoint(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been revoked.\"}");
        TokenSet previous = new TokenSet(Secret.of("at-1"), Secret.of("rt-revoked"), "Bearer", Instant.now(), List.of(), Map.of());

        GrantException e = assertThrows(GrantException.class,
                () -> oauth.refresh(settings, CLIENT, previous).await().atMost(Duration.ofSeconds(10)));

        assertEquals(GrantException.Kind.BROKEN, e.kind());
        assertEquals("invalid_grant", e.providerError());
        assertEquals("Access to Acme was revoked; reconnect the connection.", e.getMessage());
        assertFalse(e.getMessage().contains("rt-revoked"));
    }

    @Test
    void anErrorInsideAnHttp200BodyIsAnErrorNotATokenSet() {
        OAuthSettings settings = quirkySettings("error-in-200");
        quirkyTokenEndpoint(200, "{\"error\":\"bad_verification_code\",\"error_description\":\"The code passed is incorrect or expired.\"}");

        GrantException e = assertThrows(GrantException.class,
                () -> oauth.exchangeCode(settings, CLIENT, "stale", REDIRECT, null).await().atMost(Duration.ofSeconds(10)));

        assertEquals(GrantException.Kind.BROKEN, e.kind());
        assertEquals("bad_verification_code", e.providerError());
    }

    @Test
    void aServerErrorIsTransientSoTheRefreshIsRetried() {
        OAuthSettings settings = quirkySettings("flaky");
        quirkyTokenEndpoint(503, "{\"error\":\"temporarily_unavailable\"}");
        TokenSet previous = new TokenSet(Secret.of("at-1"), Secret.of("rt-1"), "Bearer", Instant.now(), List.of(), Map.of());

        GrantException e = assertThrows(GrantException.class,
                () -> oauth.refresh(settings, CLIENT, previous).await().atMost(Duration.ofSeconds(10)));

        assertEquals(GrantException.Kind.TRANSIENT, e.kind());
        assertEquals("The token endpoint of Acme failed (temporarily_unavailable); try again shortly.", e.getMessage());
    }

    @Test
    void aGrantWithoutRefreshTokenCannotBeRefreshedAndSaysSo() {
        OAuthSettings settings = settings("no-refresh-token", false);
        TokenSet previous = new TokenSet(Secret.of("at-1"), null, "Bearer", Instant.now(), List.of(), Map.of());
        GrantException e = assertThrows(GrantException.class,
                () -> oauth.refresh(settings, CLIENT, previous).await().atMost(Duration.ofSeconds(10)));
        assertEquals(GrantException.Kind.BROKEN, e.kind());
    }

    @Test
    void clientCredentialsGrantsAreRequestedAnewInsteadOfRefreshed() {
        OAuthSettings settings = OAuthSettings.from(manifest("machine", """
                "tokenUrl":"%s","grantType":"client_credentials","scopes":["read"],"defaultScopes":["read"]"""
                .formatted(server.tokenEndpointUrl("machine"))));

        TokenSet first = oauth.refresh(settings, CLIENT, null).await().atMost(Duration.ofSeconds(10));
        TokenSet second = oauth.refresh(settings, CLIENT, first).await().atMost(Duration.ofSeconds(10));

        assertNotEquals(first.accessToken().reveal(), second.accessToken().reveal());
        assertFalse(second.hasRefreshToken());
    }

    @Test
    void oidcDiscoveryFillsTheEndpoints() {
        OAuthSettings settings = OAuthSettings.from(manifest("discovered", """
                "discoveryUrl":"%s","scopes":["openid"]""".formatted(server.wellKnownUrl("discovered"))));

        DeclarativeOAuth.Endpoints endpoints = oauth.endpoints(settings).await().atMost(Duration.ofSeconds(10));

        assertEquals(server.authorizationEndpointUrl("discovered").toString(), endpoints.authorizationUrl());
        assertEquals(server.tokenEndpointUrl("discovered").toString(), endpoints.tokenUrl());
    }

    @Test
    void whatCallersControlNeverGrowsTheCachesBeyondTheirBound() {
        quirkyTokenEndpoint(200, "{\"access_token\":\"at\",\"token_type\":\"bearer\",\"expires_in\":60}");
        quirkyProvider.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock
                .urlPathMatching("/d/.*")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"authorization_endpoint\":\"%s/authorize\",\"token_endpoint\":\"%s/token\"}"
                                .formatted(quirkyProvider.baseUrl(), quirkyProvider.baseUrl()))));
        DeclarativeOAuth bounded = new DeclarativeOAuth(oidcClients, LocalProviders.http(vertx), new ObjectMapper(), Clock.systemUTC(),
                new DeclarativeOAuth.Options(LocalProviders.guard(), Duration.ofSeconds(10), Duration.ofHours(1), 5));
        for (int i = 0; i < 30; i++) {
            // test-connector drafts: a client per request, closed after it, never cached.
            bounded.exchangeCodeOnce(quirkySettings("draft-" + i), CLIENT, "code", REDIRECT, null).await().atMost(Duration.ofSeconds(10));
            // discovery documents named by manifests: kept, but only so many.
            bounded.endpoints(OAuthSettings.from(manifest("discovered-" + i, "\"discoveryUrl\":\"%s/d/%d\",\"scopes\":[\"read\"]"
                    .formatted(quirkyProvider.baseUrl(), i)))).await().atMost(Duration.ofSeconds(10));
        }
        assertTrue(bounded.cachedEntries() <= 5, "cached: " + bounded.cachedEntries());
    }

    /** Follows the authorize URL as a browser would and returns the code the server redirected with. */
    private String authorize(OAuthSettings settings, String challenge) throws IOException, InterruptedException {
        URI url = oauth.authorizeUrl(oauth.endpoints(settings).await().indefinitely(), settings, CLIENT, "s-1", REDIRECT,
                challenge, List.of());
        HttpResponse<String> response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        URI location = URI.create(response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no redirect: HTTP " + response.statusCode() + " " + response.body())));
        assertTrue(location.toString().startsWith(REDIRECT.toString()), location.toString());
        assertEquals("s-1", query(location).get("state"));
        return query(location).get("code");
    }

    private static OAuthSettings settings(String issuer, boolean pkce) {
        return OAuthSettings.from(manifest(issuer, """
                "authorizationUrl":"%s","tokenUrl":"%s","scopes":["openid","read","write"],"defaultScopes":["openid","read"],
                "pkce":%s,"authorizeParams":{"access_type":"offline"},"defaultTokenLifetime":"PT30M",
                "brokenGrantMessage":"Access to Acme was revoked; reconnect the connection.\""""
                .formatted(server.authorizationEndpointUrl(issuer), server.tokenEndpointUrl(issuer), pkce)));
    }

    private static com.fasterxml.jackson.databind.JsonNode manifest(String id, String auth) {
        try {
            return new ObjectMapper().readTree("""
                    {"id":"%s","version":"1.0.0","label":"Acme","kind":"oauth","auth":{%s},
                     "tools":[{"name":"noop","description":"x","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                    .formatted(id, auth));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void quirkyTokenEndpoint(int status, String body) {
        quirkyProvider.resetAll();
        quirkyProvider.stubFor(post(urlEqualTo("/token"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static OAuthSettings quirkySettings(String id) {
        return OAuthSettings.from(manifest(id, """
                "authorizationUrl":"%s/authorize","tokenUrl":"%s/token","scopes":["read"],"defaultTokenLifetime":"PT30M",
                "brokenGrantMessage":"Access to Acme was revoked; reconnect the connection.\""""
                .formatted(quirkyProvider.baseUrl(), quirkyProvider.baseUrl())));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            params.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return params;
    }

}
