package dev.polymux.connector.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.connector.manifest.ManifestValidator;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.DispatchContext;
import dev.polymux.connector.sdk.Secret;
import dev.polymux.connector.sdk.TokenSet;
import dev.polymux.connector.sdk.ToolOutcome;
import io.vertx.mutiny.core.Vertx;

/** The declarative engine against stubs of the providers' real API paths. */
class HttpToolEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_TOKEN = "gho_test_access_token_value";
    private static WireMockServer provider;
    private static Vertx vertx;
    private static HttpToolEngine engine;

    @BeforeAll
    static void start() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        vertx = Vertx.vertx();
        engine = new HttpToolEngine(LocalProviders.http(vertx), JSON);
    }

    @AfterAll
    static void stop() {
        provider.stop();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void reset() {
        provider.resetAll();
    }

    @Test
    void getRepositoryCallsGitHubsPathWithTheBearerTokenAndReturnsTheBody() {
        provider.stubFor(get(urlEqualTo("/repos/octo-cat/hello%20world"))
                .withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN))
                .withHeader("Accept", equalTo("application/vnd.github+json"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":1296269,\"full_name\":\"octo-cat/hello world\"}")));

        ToolOutcome outcome = dispatch(github(), "get_repository", "{\"owner\":\"octo-cat\",\"repo\":\"hello world\"}", oauth());

        ToolOutcome.Success success = assertInstanceOf(ToolOutcome.Success.class, outcome);
        assertEquals(1296269, success.output().path("id").asInt());
    }

    @Test
    void anArgumentCannotWalkOutOfItsPathSegment() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(404)));
        dispatch(github(), "get_repository", "{\"owner\":\"o\",\"repo\":\"../../admin?x=1\"}", oauth());
        provider.verify(getRequestedFor(urlEqualTo("/repos/o/..%2F..%2Fadmin%3Fx%3D1")));
    }

    @Test
    void dotSegmentsCannotClimbOutOfThePathTemplate() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{}")));
        for (String climb : new String[] { "..", ".", "%2e%2e" }) {
            // "%2e%2e" is sent encoded again ("%252e%252e"): a literal, not a dot segment; "." and ".." are refused.
            ToolOutcome outcome = dispatch(github(), "get_repository", "{\"owner\":\"" + climb + "\",\"repo\":\"user\"}", oauth());
            if (!climb.startsWith("%")) {
                ToolOutcome.BadArguments bad = assertInstanceOf(ToolOutcome.BadArguments.class, outcome, climb);
                assertTrue(bad.toString().contains("/owner"), bad.toString());
            }
        }
        provider.verify(0, getRequestedFor(urlEqualTo("/repos/../user")));
        provider.verify(0, getRequestedFor(urlEqualTo("/repos/./user")));
        provider.verify(0, getRequestedFor(urlEqualTo("/user")));
        provider.verify(1, getRequestedFor(urlEqualTo("/repos/%252e%252e/user")));
    }

    @Test
    void createIssueSendsTheJsonBodyBuiltFromTheArguments() {
        provider.stubFor(post(urlEqualTo("/repos/octo/hello/issues"))
                .withRequestBody(equalToJson("{\"title\":\"Found a bug\"}"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"number\":1347,\"state\":\"open\"}")));

        ToolOutcome outcome = dispatch(github(), "create_issue", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"Found a bug\"}", oauth());

        assertEquals(1347, assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("number").asInt());
    }

    @Test
    void argumentsThatBreakTheInputSchemaNeverReachTheProvider() {
        ToolOutcome outcome = dispatch(github(), "create_issue", "{\"owner\":\"octo\",\"repo\":\"hello\"}", oauth());

        ToolOutcome.BadArguments bad = assertInstanceOf(ToolOutcome.BadArguments.class, outcome);
        assertEquals(List.of("/: required property 'title' not found"), bad.problems());
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anUnknownToolNamesTheToolsThatExist() {
        ToolOutcome outcome = dispatch(github(), "delete_repository", "{}", oauth());
        assertEquals("Connector github has no tool 'delete_repository'; it offers [get_repository, create_issue]",
                assertInstanceOf(ToolOutcome.BadArguments.class, outcome).message());
    }

    @Test
    void providerAnswersMapToWhatTheDispatcherShouldDoNext() {
        stubRepository(401, "{\"message\":\"Bad credentials\"}", null);
        ToolOutcome.CredentialsRejected rejected = assertInstanceOf(ToolOutcome.CredentialsRejected.class, getRepository());
        assertEquals("The provider rejected the credentials (HTTP 401): Bad credentials", rejected.message());
        assertFalse(rejected.message().contains(ACCESS_TOKEN));

        stubRepository(429, "{\"message\":\"API rate limit exceeded\"}", "7");
        ToolOutcome.RetriableFailure limited = assertInstanceOf(ToolOutcome.RetriableFailure.class, getRepository());
        assertEquals(429, limited.status());
        assertEquals(Optional.of(Duration.ofSeconds(7)), limited.retryAfter());

        stubRepository(503, "", "-3");
        ToolOutcome.RetriableFailure unavailable = assertInstanceOf(ToolOutcome.RetriableFailure.class, getRepository());
        assertEquals(Optional.of(Duration.ZERO), unavailable.retryAfter(), "a negative Retry-After means now");

        stubRepository(422, "{\"message\":\"Validation Failed\"}", null);
        assertEquals("The provider refused the arguments (HTTP 422): Validation Failed",
                assertInstanceOf(ToolOutcome.BadArguments.class, getRepository()).message());

        stubRepository(404, "{\"message\":\"Not Found\"}", null);
        assertEquals(404, assertInstanceOf(ToolOutcome.Failed.class, getRepository()).status());
    }

    @Test
    void anUnreachableProviderIsRetriable() {
        JsonNode manifest = pointedAt(InTreeManifests.load("github"), "http://localhost:1");
        ToolOutcome outcome = dispatch(manifest, "get_repository", "{\"owner\":\"o\",\"repo\":\"r\"}", oauth());
        ToolOutcome.RetriableFailure failure = assertInstanceOf(ToolOutcome.RetriableFailure.class, outcome);
        assertTrue(failure.message().startsWith("Could not reach localhost: "), failure.message());
    }

    @Test
    void stripeSendsItsRestrictedKeyAndTheCallIdAsIdempotencyKey() {
        provider.stubFor(post(urlEqualTo("/v1/checkout/sessions"))
                .withHeader("Authorization", equalTo("Bearer rk_test_restricted_key"))
                .withHeader("Idempotency-Key", equalTo("call-42"))
                .withHeader("traceparent", equalTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
                .withRequestBody(equalTo("success_url=https%3A%2F%2Fshop.example%2Fok&line_items%5B0%5D%5Bprice%5D=price_123"
                        + "&line_items%5B0%5D%5Bquantity%5D=2"))
                .willReturn(aResponse().withStatus(200)
                        .withBody("{\"id\":\"cs_test_1\",\"url\":\"https://checkout.stripe.com/c/pay/cs_test_1\"}")));
        JsonNode manifest = InTreeManifests.load("stripe");
        assertEquals(List.of(), new ManifestValidator().validateConnector(manifest));
        JsonNode stubbed = json(manifest.toString().replace("https://api.stripe.com", provider.baseUrl())
                .replace("\"api.stripe.com\"", "\"localhost\""));

        ToolOutcome outcome = engine.dispatch(stubbed, "create_checkout_session",
                json("{\"success_url\":\"https://shop.example/ok\",\"price\":\"price_123\",\"quantity\":2}"),
                Credentials.fields(Map.of("value", Secret.of("rk_test_restricted_key"))),
                new DispatchContext("call-42", "acme", "inst-1", Instant.now().plusSeconds(10),
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals("cs_test_1", assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("id").asText());
    }

    @Test
    void anArgumentCannotAddAHeaderThroughALineBreak() {
        JsonNode manifest = json("""
                {"id":"echo","version":"1.0.0","label":"Echo","kind":"vault",
                 "auth":{"shape":{"kind":"single"}},
                 "tools":[{"name":"tag","description":"Tags.","input":{"type":"object","properties":{"tag":{"type":"string"}}},
                   "http":{"method":"GET","url":"%s/tag","headers":{"X-Tag":"{tag}"},"credential":{"placement":"header","name":"X-Api-Key"}}}],
                 "allowedHosts":["localhost"]}""".formatted(provider.baseUrl()));

        ToolOutcome outcome = engine.dispatch(manifest, "tag", json("{\"tag\":\"a\\r\\nX-Admin: true\"}"),
                Credentials.fields(Map.of("value", Secret.of("key"))), context()).await().atMost(Duration.ofSeconds(10));

        assertEquals("A value for header X-Tag contains a line break", assertInstanceOf(ToolOutcome.BadArguments.class, outcome).message());
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    private void stubRepository(int status, String body, String retryAfter) {
        var response = aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
        if (retryAfter != null) {
            response.withHeader("Retry-After", retryAfter);
        }
        provider.stubFor(get(urlEqualTo("/repos/o/r")).willReturn(response));
    }

    private ToolOutcome getRepository() {
        return dispatch(github(), "get_repository", "{\"owner\":\"o\",\"repo\":\"r\"}", oauth());
    }

    private static ToolOutcome dispatch(JsonNode manifest, String tool, String args, Credentials credentials) {
        return engine.dispatch(manifest, tool, json(args), credentials, context()).await().atMost(Duration.ofSeconds(10));
    }

    private static DispatchContext context() {
        return new DispatchContext("call-1", "acme", "inst-1", Instant.now().plusSeconds(10), null);
    }

    private static Credentials oauth() {
        return Credentials.oauth(new TokenSet(Secret.of(ACCESS_TOKEN), null, "Bearer", Instant.now().plusSeconds(3600),
                List.of("repo"), Map.of()));
    }

    /** The in-tree github manifest, its API host replaced by the stub's. */
    private static JsonNode github() {
        return pointedAt(InTreeManifests.load("github"), provider.baseUrl());
    }

    private static JsonNode pointedAt(JsonNode manifest, String baseUrl) {
        String host = baseUrl.replaceFirst("^https?://", "");
        return json(manifest.toString().replace("https://api.github.com", baseUrl).replace("\"api.github.com\"", "\"" + host + "\""));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
