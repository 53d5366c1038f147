package dev.polymux.connector.conformance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.engine.OAuthClientRegistration;
import dev.polymux.connector.engine.Pkce;
import dev.polymux.connector.sdk.ConnectorHandler;
import dev.polymux.connector.sdk.GrantException;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import io.smallrye.mutiny.Uni;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The OAuth conformance kit: every OAuth connector, declarative or Java, must pass it. Extend it, implement
 * {@link #connector}, and run it with your tests (add {@code @QuarkusTest} when your connector needs the Quarkus
 * runtime, as the declarative engine does). See connectors/README.md.
 * <p>
 * The normal flows run against a real OAuth2/OIDC server in process (mock-oauth2-server): authorization code with
 * PKCE, refresh. The provider quirks and failures a real server does not produce on demand (rotation, no refresh
 * token, no expires_in, invalid_grant) come from a stubbed token endpoint. Throughout, every log record is captured
 * and checked for the secrets in play (client secret, codes, verifiers, tokens).
 */
public abstract class OAuthConformanceKit {

    protected static final URI REDIRECT = URI.create("https://polymux.example/oauth/callback");
    protected static final OAuthClientRegistration CLIENT =
            new OAuthClientRegistration("conformance-client", Secret.of("conformance-client-secret-7f3a"));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static MockOAuth2Server authorizationServer;
    private static WireMockServer quirkyTokenEndpoint;
    private static final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private static final Set<String> secretsInPlay = ConcurrentHashMap.newKeySet();
    private static final Handler LOG_CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null && message != null) {
                message = message + " " + java.util.Arrays.toString(record.getParameters());
            }
            logLines.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Where the connector under test must send its OAuth requests. */
    public record ProviderEndpoints(String authorizationUrl, String tokenUrl) {
    }

    /**
     * The connector under test, configured to use these endpoints and this OAuth client. Its default or requested
     * scopes may include {@code openid}: the in-process server is an OIDC server and requires it.
     */
    protected abstract Uni<ConnectorHandler> connector(ProviderEndpoints endpoints, OAuthClientRegistration client);

    @BeforeAll
    static void startProviders() {
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        quirkyTokenEndpoint = new WireMockServer(options().dynamicPort());
        quirkyTokenEndpoint.start();
        secretsInPlay.add(CLIENT.clientSecret().reveal());
        Logger.getLogger("").addHandler(LOG_CAPTURE);
    }

    @AfterAll
    static void stopProviders() {
        Logger.getLogger("").removeHandler(LOG_CAPTURE);
        authorizationServer.shutdown();
        quirkyTokenEndpoint.stop();
    }

    @BeforeEach
    void startCapturingThisTestsLogLines() {
        logLines.clear();
    }

    @AfterEach
    void noSecretReachedALogLine() {
        List<String> lines;
        synchronized (logLines) {
            lines = new ArrayList<>(logLines);
        }
        for (String line : lines) {
            for (String secret : secretsInPlay) {
                if (line != null && line.contains(secret)) {
                    fail("A log line contains a secret value (" + secret.length() + " characters, starting "
                            + secret.substring(0, Math.min(3, secret.length())) + "...)");
                }
            }
        }
    }

    @Test
    void exchangesTheCodeWithItsPkceVerifier() throws Exception {
        ConnectorHandler connector = realServerConnector("code");
        String verifier = remember(Pkce.newVerifier());
        String code = remember(authorize(connector, "code", Pkce.challenge(verifier)));

        TokenSet tokens = remember(connector.exchangeCode(code, REDIRECT, verifier).await().atMost(WAIT));

        assertTrue(tokens.expiresAt().isAfter(Instant.now()), "the access token is valid: " + tokens);
        assertTrue(tokens.hasRefreshToken(), "the server issued a refresh token: " + tokens);
    }

    @Test
    void refreshesTheGrant() throws Exception {
        ConnectorHandler connector = realServerConnector("refresh");
        String verifier = remember(Pkce.newVerifier());
        TokenSet tokens = remember(connector.exchangeCode(remember(authorize(connector, "refresh", Pkce.challenge(verifier))),
                REDIRECT, verifier).await().atMost(WAIT));

        TokenSet refreshed = remember(connector.refresh(tokens).await().atMost(WAIT));

        assertNotEquals(tokens.accessToken().reveal(), refreshed.accessToken().reveal(), "a refresh brings a new access token");
        assertTrue(refreshed.hasRefreshToken(), "a refreshed grant can be refreshed again");
    }

    @Test
    void keepsTheRotatedRefreshToken() {
        tokenEndpointAnswers(200, "{\"access_token\":\"conformance-at-2\",\"refresh_token\":\"conformance-rt-2\","
                + "\"token_type\":\"Bearer\",\"expires_in\":3600}");
        TokenSet refreshed = remember(quirkyConnector().refresh(previousGrant()).await().atMost(WAIT));
        assertEquals("conformance-rt-2", refreshed.refreshToken().reveal(),
                "a provider that rotates refresh tokens has revoked the old one: the new one must be kept");
    }

    @Test
    void keepsTheOldRefreshTokenWhenTheRefreshBringsNone() {
        tokenEndpointAnswers(200, "{\"access_token\":\"conformance-at-2\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        TokenSet refreshed = remember(quirkyConnector().refresh(previousGrant()).await().atMost(WAIT));
        assertEquals("conformance-at-2", refreshed.accessToken().reveal());
        assertTrue(refreshed.hasRefreshToken() && "conformance-rt-1".equals(refreshed.refreshToken().reveal()),
                "a refresh response without refresh_token keeps the old one");
    }

    @Test
    void givesARefreshableTokenWithoutExpiresInADefaultLifetime() {
        tokenEndpointAnswers(200, "{\"access_token\":\"conformance-at-3\",\"token_type\":\"Bearer\",\"refresh_token\":\"conformance-rt-3\"}");
        TokenSet tokens = remember(quirkyConnector().exchangeCode("conformance-code-x", REDIRECT, null).await().atMost(WAIT));
        assertTrue(tokens.expires() && tokens.expiresAt().isAfter(Instant.now().plusSeconds(60)), "expires in the future: " + tokens);
        assertTrue(tokens.expiresAt().isBefore(Instant.now().plus(Duration.ofDays(1))),
                "a default lifetime is short enough to refresh ahead of: " + tokens.expiresAt());
    }

    @Test
    void treatsATokenWithoutExpiresInAndWithoutRefreshTokenAsNonExpiring() {
        // GitHub OAuth apps: no expires_in, no refresh token. A default lifetime would make it "expire" with nothing
        // to renew it by, and the grant would break for no reason.
        tokenEndpointAnswers(200, "{\"access_token\":\"conformance-at-4\",\"token_type\":\"bearer\",\"scope\":\"repo\"}");
        TokenSet tokens = remember(quirkyConnector().exchangeCode("conformance-code-y", REDIRECT, null).await().atMost(WAIT));
        assertFalse(tokens.expires(), "never expires: " + tokens);
        assertTrue(tokens.validFor(Duration.ofDays(3650), Instant.now()));
    }

    @Test
    void invalidGrantBreaksTheGrantWithASentenceForAPerson() {
        tokenEndpointAnswers(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");
        GrantException e = assertThrows(GrantException.class,
                () -> quirkyConnector().refresh(previousGrant()).await().atMost(WAIT));
        assertEquals(GrantException.Kind.BROKEN, e.kind(), "invalid_grant needs a person, not a retry");
        assertSentence(e.getMessage());
    }

    @Test
    void aDeclinedAuthorizationIsASentenceForAPerson() {
        GrantException e = quirkyConnector().authorizationFailed("access_denied", "The user denied the request");
        assertEquals(GrantException.Kind.DENIED, e.kind());
        assertSentence(e.getMessage());
    }

    /**
     * A connector manifest pointed at the kit's providers: its authorize and token endpoints replaced, and the
     * openid scope added (the in-process server is an OIDC server and requires it).
     */
    protected static ObjectNode pointedAt(ObjectNode manifest, ProviderEndpoints endpoints) {
        ObjectNode auth = (ObjectNode) manifest.path("auth");
        auth.put("authorizationUrl", endpoints.authorizationUrl()).put("tokenUrl", endpoints.tokenUrl());
        ((ArrayNode) auth.path("scopes")).add("openid");
        return manifest;
    }

    private ConnectorHandler realServerConnector(String issuer) {
        return connector(new ProviderEndpoints(authorizationServer.authorizationEndpointUrl(issuer).toString(),
                authorizationServer.tokenEndpointUrl(issuer).toString()), CLIENT).await().atMost(WAIT);
    }

    private ConnectorHandler quirkyConnector() {
        return connector(new ProviderEndpoints(quirkyTokenEndpoint.baseUrl() + "/authorize",
                quirkyTokenEndpoint.baseUrl() + "/token"), CLIENT).await().atMost(WAIT);
    }

    private static TokenSet previousGrant() {
        secretsInPlay.add("conformance-rt-1");
        return new TokenSet(Secret.of("conformance-at-1"), Secret.of("conformance-rt-1"), "Bearer", Instant.now(),
                List.of("openid"), Map.of());
    }

    private static void tokenEndpointAnswers(int status, String body) {
        quirkyTokenEndpoint.resetAll();
        quirkyTokenEndpoint.stubFor(post(urlEqualTo("/token"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
        java.util.regex.Matcher tokens = java.util.regex.Pattern.compile("\"(?:access|refresh)_token\":\"([^\"]+)\"").matcher(body);
        while (tokens.find()) {
            secretsInPlay.add(tokens.group(1));
        }
    }

    /** Follows the authorize URL as the installer's browser would; returns the code from the redirect. */
    private static String authorize(ConnectorHandler connector, String state, String challenge) throws IOException, InterruptedException {
        URI url = connector.buildAuthorizeUrl(state, REDIRECT, challenge, List.of("openid"));
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("<form")) {
            // A login / consent page (connectors that send prompt=consent get one): sign in as a person would.
            response = browser.send(HttpRequest.newBuilder(url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=conformance-user")).build(), HttpResponse.BodyHandlers.ofString());
        }
        HttpResponse<String> answered = response;
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow(
                () -> new AssertionError("the authorization server did not redirect: HTTP " + answered.statusCode() + " " + answered.body())));
        Map<String, String> query = new HashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            query.put(parts[0], parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        assertEquals(state, query.get("state"), "the state comes back unchanged");
        return query.get("code");
    }

    private static void assertSentence(String message) {
        assertTrue(message != null && message.length() > 20 && message.trim().endsWith("."),
                "a sentence a person can act on, got: " + message);
        for (String secret : secretsInPlay) {
            assertFalse(message.contains(secret), "the sentence shows a secret value");
        }
    }

    private static String remember(String secret) {
        secretsInPlay.add(secret);
        return secret;
    }

    private static TokenSet remember(TokenSet tokens) {
        secretsInPlay.add(tokens.accessToken().reveal());
        if (tokens.hasRefreshToken()) {
            secretsInPlay.add(tokens.refreshToken().reveal());
        }
        return tokens;
    }
}
