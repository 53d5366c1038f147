package dev.polymux.connector.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

/**
 * The built-in polymux.http_request action against a stub provider: the workflow chooses the request, the connection
 * alone chooses where its credential goes and which hosts it may reach.
 */
class HttpRequestActionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "rk_test_51abcDEFghi";
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
    void theStripeVaultEntryIsUsableWithNoConnectorCode() {
        provider.stubFor(get(urlPathEqualTo("/v1/charges")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("Set-Cookie", "session=1")
                .withBody("{\"object\":\"list\",\"data\":[]}")));

        ToolOutcome outcome = request(stripeEntry(), """
                {"method":"GET","path":"/v1/charges","query":{"limit":3}}""", single(KEY));

        JsonNode output = assertInstanceOf(ToolOutcome.Success.class, outcome).output();
        assertEquals(200, output.path("status").asInt());
        assertEquals("list", output.path("body").path("object").asText());
        assertEquals("application/json", output.path("headers").path("content-type").asText());
        assertTrue(output.path("headers").path("set-cookie").isMissingNode(), "only the headers a workflow needs come back");
        provider.verify(getRequestedFor(urlEqualTo("/v1/charges?limit=3")).withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void aTuplesFieldsGoWhereTheEntrySaysAndNowhereElse() {
        provider.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(201)));
        JsonNode entry = json("""
                {"kind":"vault","key":"acme_keys","label":"Acme keys",
                 "shape":{"kind":"tuple","fields":[{"name":"access_key","label":"Access key","secret":false},
                   {"name":"secret_key","label":"Secret key","secret":true},{"name":"region","label":"Region","secret":false}]},
                 "request":{"baseUrl":"%s/api","allowedHosts":["%s"],"credential":[
                   {"placement":"header","name":"X-Access-Key","value":"{access_key}"},
                   {"placement":"header","name":"X-Signature","prefix":"Secret ","value":"{secret_key}/{region}"},
                   {"placement":"query","name":"region","value":"{region}"},
                   {"placement":"body","name":"api_key","value":"{secret_key}"}]}}""".formatted(provider.baseUrl(), host()));
        Credentials stored = Credentials.fields(Map.of("access_key", Secret.of("AKIA123"), "secret_key", Secret.of("s3cr3t-value"),
                "region", Secret.of("eu-west-1")));

        ToolOutcome outcome = request(entry, """
                {"method":"POST","path":"/items","body":{"name":"widget"}}""", stored);

        assertEquals(201, assertInstanceOf(ToolOutcome.Success.class, outcome).output().path("status").asInt());
        provider.verify(postRequestedFor(urlEqualTo("/api/items?region=eu-west-1"))
                .withHeader("X-Access-Key", equalTo("AKIA123"))
                .withHeader("X-Signature", equalTo("Secret s3cr3t-value/eu-west-1"))
                .withHeader("Authorization", absent())
                .withRequestBody(equalToJson("{\"name\":\"widget\",\"api_key\":\"s3cr3t-value\"}")));
    }

    @Test
    void placeholdersInTheWorkflowsArgumentsAreNeverExpanded() {
        provider.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));

        request(stripeEntry(), """
                {"method":"POST","path":"/v1/notes","headers":{"X-Note":"{value}"},"query":{"q":"{value}"},"body":{"text":"{value}"}}""",
                single(KEY));

        provider.verify(postRequestedFor(urlEqualTo("/v1/notes?q=%7Bvalue%7D")).withHeader("X-Note", equalTo("{value}"))
                .withRequestBody(equalToJson("{\"text\":\"{value}\"}")));
    }

    @Test
    void theCredentialNeverGoesToAHostTheEntryDoesNotAllow() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));
        String other = provider.baseUrl().replace("localhost", "127.0.0.1");

        for (String args : List.of(
                "{\"method\":\"GET\",\"url\":\"" + other + "/v1/charges\"}",
                "{\"method\":\"GET\",\"url\":\"https://evil.example/v1/charges\"}",
                "{\"method\":\"GET\",\"url\":\"" + provider.baseUrl().replace("://", "://user@") + "/v1/charges\"}")) {
            ToolOutcome outcome = request(stripeEntry(), args, single(KEY));
            assertInstanceOf(ToolOutcome.BadArguments.class, outcome, args);
        }
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void plainHttpIsOnlyForTheReviewedBaseUrlsOwnOrigin() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));
        String other = provider.baseUrl().replace("localhost", "127.0.0.1");
        JsonNode twoHosts = json(stripeEntry().toString().replace("\"allowedHosts\":[\"" + host() + "\"]",
                "\"allowedHosts\":[\"" + host() + "\",\"" + other.replaceFirst("^http://", "") + "\"]"));

        ToolOutcome toOther = request(twoHosts, "{\"method\":\"GET\",\"url\":\"" + other + "/v1/charges\"}", single(KEY));
        ToolOutcome toBase = request(twoHosts, "{\"method\":\"GET\",\"url\":\"" + provider.baseUrl() + "/v1/charges\"}", single(KEY));

        assertTrue(assertInstanceOf(ToolOutcome.BadArguments.class, toOther).message().contains("https"), toOther.toString());
        assertInstanceOf(ToolOutcome.Success.class, toBase);
        provider.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void aPathCannotClimbOutOfTheBaseUrl() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));
        JsonNode entry = json(stripeEntry().toString().replace("\"baseUrl\":\"" + provider.baseUrl() + "\"",
                "\"baseUrl\":\"" + provider.baseUrl() + "/v1\""));

        for (String path : List.of("/../admin", "/%2e%2e/admin", "/a/%2E/b", "/.", "/a%2F..%2F..%2Fadmin", "/a%5C..%5Cadmin", "/a|b")) {
            ToolOutcome outcome = request(entry, "{\"method\":\"GET\",\"path\":\"" + path + "\"}", single(KEY));
            assertInstanceOf(ToolOutcome.BadArguments.class, outcome, path);
        }
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theWorkflowCannotSetWhatTheCredentialOrTheClientOwns() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));
        JsonNode headerKey = json(stripeEntry().toString().replace("{\"placement\":\"bearer\"}",
                "{\"placement\":\"header\",\"name\":\"X-Api-Key\"},{\"placement\":\"query\",\"name\":\"key\"}"));

        for (String args : List.of(
                "{\"method\":\"GET\",\"path\":\"/v1/a\",\"headers\":{\"authorization\":\"Bearer mine\"}}",
                "{\"method\":\"GET\",\"path\":\"/v1/a\",\"headers\":{\"x-api-key\":\"mine\"}}",
                "{\"method\":\"GET\",\"path\":\"/v1/a\",\"headers\":{\"Host\":\"evil.example\"}}",
                "{\"method\":\"GET\",\"path\":\"/v1/a\",\"headers\":{\"Transfer-Encoding\":\"chunked\"}}",
                "{\"method\":\"GET\",\"path\":\"/v1/a\",\"query\":{\"key\":\"mine\"}}")) {
            ToolOutcome outcome = request(headerKey, args, single(KEY));
            assertInstanceOf(ToolOutcome.BadArguments.class, outcome, args);
        }
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void redirectsAreRefusedUnlessAskedForAndThenTheCredentialStaysOnItsOrigin() {
        String other = provider.baseUrl().replace("localhost", "127.0.0.1");
        JsonNode twoHosts = json(stripeEntry().toString().replace("\"allowedHosts\":[\"" + host() + "\"]",
                "\"allowedHosts\":[\"" + host() + "\",\"" + other.replaceFirst("^http://", "") + "\"]"));
        provider.stubFor(get(urlEqualTo("/v1/moved")).willReturn(aResponse().withStatus(302).withHeader("Location", other + "/v1/elsewhere")));
        provider.stubFor(get(urlEqualTo("/v1/elsewhere")).willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        provider.stubFor(get(urlEqualTo("/v1/away")).willReturn(aResponse().withStatus(302).withHeader("Location", "https://evil.example/x")));

        ToolOutcome notAsked = request(twoHosts, "{\"method\":\"GET\",\"path\":\"/v1/moved\"}", single(KEY));
        ToolOutcome away = request(twoHosts, "{\"method\":\"GET\",\"path\":\"/v1/away\",\"followRedirects\":true}", single(KEY));
        ToolOutcome followed = request(twoHosts, "{\"method\":\"GET\",\"path\":\"/v1/moved\",\"followRedirects\":true}", single(KEY));

        assertEquals(ToolOutcome.Failed.Reason.REDIRECT_REFUSED, assertInstanceOf(ToolOutcome.Failed.class, notAsked).reason());
        assertEquals(ToolOutcome.Failed.Reason.REDIRECT_REFUSED, assertInstanceOf(ToolOutcome.Failed.class, away).reason());
        assertTrue(assertInstanceOf(ToolOutcome.Success.class, followed).output().path("body").path("ok").asBoolean());
        provider.verify(getRequestedFor(urlEqualTo("/v1/elsewhere")).withHeader("Authorization", absent()));
    }

    @Test
    void aCrossOrigin307Or308NeverResendsABodyThatCarriesTheCredential() {
        String other = provider.baseUrl().replace("localhost", "127.0.0.1");
        JsonNode bodyKey = json(stripeEntry().toString().replace("{\"placement\":\"bearer\"}", "{\"placement\":\"body\",\"name\":\"api_key\"}")
                .replace("\"allowedHosts\":[\"" + host() + "\"]", "\"allowedHosts\":[\"" + host() + "\",\"" + other.replaceFirst("^http://", "") + "\"]"));
        provider.stubFor(post(urlEqualTo("/v1/temporary")).willReturn(aResponse().withStatus(307).withHeader("Location", other + "/v1/catch")));
        provider.stubFor(post(urlEqualTo("/v1/permanent")).willReturn(aResponse().withStatus(308).withHeader("Location", other + "/v1/catch")));
        provider.stubFor(post(urlEqualTo("/v1/here")).willReturn(aResponse().withStatus(307).withHeader("Location", "/v1/landed")));
        provider.stubFor(post(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200)));

        for (String path : List.of("/v1/temporary", "/v1/permanent")) {
            ToolOutcome outcome = request(bodyKey, "{\"method\":\"POST\",\"path\":\"" + path + "\",\"body\":{\"a\":1},\"followRedirects\":true}",
                    single(KEY));
            ToolOutcome.Failed refused = assertInstanceOf(ToolOutcome.Failed.class, outcome, path);
            assertEquals(ToolOutcome.Failed.Reason.REDIRECT_REFUSED, refused.reason(), refused.message());
            assertTrue(refused.message().contains("credential"), refused.message());
        }
        ToolOutcome sameOrigin = request(bodyKey, "{\"method\":\"POST\",\"path\":\"/v1/here\",\"body\":{\"a\":1},\"followRedirects\":true}",
                single(KEY));

        assertInstanceOf(ToolOutcome.Success.class, sameOrigin);
        provider.verify(0, postRequestedFor(urlEqualTo("/v1/catch")));
        provider.verify(postRequestedFor(urlEqualTo("/v1/landed")).withRequestBody(equalToJson("{\"a\":1,\"api_key\":\"" + KEY + "\"}")));
    }

    @Test
    void aCrossOrigin307CarriesTheWorkflowsBodyButNoCredentialHeaderOrQuery() {
        String other = provider.baseUrl().replace("localhost", "127.0.0.1");
        JsonNode headerKey = json(stripeEntry().toString().replace("{\"placement\":\"bearer\"}",
                        "{\"placement\":\"bearer\"},{\"placement\":\"header\",\"name\":\"X-Api-Key\"},{\"placement\":\"query\",\"name\":\"key\"}")
                .replace("\"allowedHosts\":[\"" + host() + "\"]", "\"allowedHosts\":[\"" + host() + "\",\"" + other.replaceFirst("^http://", "") + "\"]"));
        provider.stubFor(post(urlPathEqualTo("/v1/temporary")).willReturn(aResponse().withStatus(307).withHeader("Location", other + "/v1/catch")));
        provider.stubFor(post(urlPathEqualTo("/v1/catch")).willReturn(aResponse().withStatus(200)));

        ToolOutcome outcome = request(headerKey, "{\"method\":\"POST\",\"path\":\"/v1/temporary\",\"body\":{\"a\":1},\"followRedirects\":true}",
                single(KEY));

        assertInstanceOf(ToolOutcome.Success.class, outcome);
        provider.verify(postRequestedFor(urlEqualTo("/v1/temporary?key=" + KEY)).withHeader("X-Api-Key", equalTo(KEY)));
        provider.verify(postRequestedFor(urlEqualTo("/v1/catch")).withHeader("Authorization", absent()).withHeader("X-Api-Key", absent())
                .withRequestBody(equalToJson("{\"a\":1}")));
    }

    @Test
    void headerValuesWithControlCharactersAreBadArgumentsAndSendNothing() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));

        for (String value : List.of("a\\u0000b", "a\\u007fb", "a\\u000bb", "a\\u001bb")) {
            ToolOutcome outcome = request(stripeEntry(), "{\"method\":\"GET\",\"path\":\"/v1/a\",\"headers\":{\"X-Note\":\"" + value + "\"}}",
                    single(KEY));
            assertInstanceOf(ToolOutcome.BadArguments.class, outcome, value);
        }
        provider.verify(0, anyRequestedFor(anyUrl()));
        assertInstanceOf(ToolOutcome.Success.class, request(stripeEntry(),
                "{\"method\":\"GET\",\"path\":\"/v1/a\",\"headers\":{\"X-Note\":\"a\\tb\"}}", single(KEY)), "a tab is a valid field value");
    }

    @Test
    void theWorkflowsUrlCannotSetTheCredentialsQueryParameter() {
        provider.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200)));
        JsonNode queryKey = json(stripeEntry().toString().replace("{\"placement\":\"bearer\"}", "{\"placement\":\"query\",\"name\":\"key\"}"));

        for (String query : List.of("?key=mine", "?a=1&key=mine", "?k%65y=mine", "?KEY=mine", "?key")) {
            ToolOutcome outcome = request(queryKey, "{\"method\":\"GET\",\"url\":\"" + provider.baseUrl() + "/v1/a" + query + "\"}", single(KEY));
            assertInstanceOf(ToolOutcome.BadArguments.class, outcome, query);
        }
        provider.verify(0, anyRequestedFor(anyUrl()));
        assertInstanceOf(ToolOutcome.Success.class, request(queryKey, "{\"method\":\"GET\",\"url\":\"" + provider.baseUrl() + "/v1/a?keys=1\"}",
                single(KEY)));
        provider.verify(getRequestedFor(urlEqualTo("/v1/a?keys=1&key=" + KEY)));
    }

    @Test
    void thePlacedValuesAreTheRenderedTemplatesThatHoldAStoredValue() {
        JsonNode entry = json(stripeEntry().toString().replace("{\"placement\":\"bearer\"}",
                "{\"placement\":\"basic\",\"username\":\"api:{value}\",\"password\":\"literal\"},"
                        + "{\"placement\":\"query\",\"name\":\"key\",\"prefix\":\"k-\"},{\"placement\":\"header\",\"name\":\"X-Key\",\"value\":\"{nope}\"}"));

        List<String> placed = HttpRequestAction.placedValues(RequestTarget.ofEntry(entry).orElseThrow(), single(KEY));

        assertEquals(List.of("api:" + KEY, "api:" + KEY + ":literal", KEY, "k-" + KEY), placed);
    }

    @Test
    void anOAuthConnectorSendsItsAccessTokenOnlyWithinItsAllowedHosts() {
        provider.stubFor(get(urlEqualTo("/user/repos")).willReturn(aResponse().withStatus(200).withBody("[]")));
        JsonNode github = json(InTreeManifests.load("github").toString().replace("\"api.github.com\"", "\"" + host() + "\""));
        RequestTarget target = RequestTarget.ofConnector(github).orElseThrow();
        RequestTarget local = new RequestTarget(target.label(), target.allowedHosts(), java.net.URI.create(provider.baseUrl()), target.credential());

        ToolOutcome outcome = engine.request(local, json("{\"method\":\"GET\",\"path\":\"/user/repos\"}"), oauth(), context())
                .await().atMost(Duration.ofSeconds(10));
        ToolOutcome elsewhere = engine.request(local, json("{\"method\":\"GET\",\"url\":\"https://api.github.com/user\"}"), oauth(), context())
                .await().atMost(Duration.ofSeconds(10));

        assertInstanceOf(ToolOutcome.Success.class, outcome);
        assertInstanceOf(ToolOutcome.BadArguments.class, elsewhere);
        provider.verify(getRequestedFor(urlEqualTo("/user/repos")).withHeader("Authorization", equalTo("Bearer gho_token")));
    }

    @Test
    void aVaultConnectorWithoutARequestBlockUsesThePlacementItsToolsShare() {
        RequestTarget stripe = RequestTarget.ofConnector(InTreeManifests.load("stripe")).orElseThrow();
        assertEquals(List.of("api.stripe.com"), stripe.allowedHosts());
        assertEquals("https://api.stripe.com", stripe.baseUrl().toString());
        assertEquals("bearer", stripe.credential().get(0).placement());
        assertTrue(RequestTarget.ofConnector(InTreeManifests.load("mqtt")).isEmpty(), "an integration has no HTTP request action");
    }

    @Test
    void theProvidersAnswersMapAsForDeclarativeTools() {
        provider.stubFor(get(urlEqualTo("/v1/denied")).willReturn(aResponse().withStatus(401)));
        provider.stubFor(get(urlEqualTo("/v1/busy")).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "3")));
        provider.stubFor(get(urlEqualTo("/v1/missing")).willReturn(aResponse().withStatus(404)));

        assertInstanceOf(ToolOutcome.CredentialsRejected.class, request(stripeEntry(), "{\"method\":\"GET\",\"path\":\"/v1/denied\"}", single(KEY)));
        ToolOutcome.RetriableFailure busy = assertInstanceOf(ToolOutcome.RetriableFailure.class,
                request(stripeEntry(), "{\"method\":\"GET\",\"path\":\"/v1/busy\"}", single(KEY)));
        assertTrue(busy.retryAfter().isPresent());
        assertEquals(404, assertInstanceOf(ToolOutcome.Failed.class, request(stripeEntry(), "{\"method\":\"GET\",\"path\":\"/v1/missing\"}",
                single(KEY))).status());
    }

    @Test
    void theEntriesInTheseTestsPassReview() {
        ManifestValidator validator = new ManifestValidator(LocalProviders.ALLOWED_PRIVATE_HOSTS);
        assertEquals(List.of(), validator.validateConnectionEntry(stripeEntry()));
    }

    /** The {@code stripe_restricted_key} vault entry, with a request block pointing at the stub. */
    private static JsonNode stripeEntry() {
        return json("""
                {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key",
                 "help":"Use a restricted key with `write:checkout-sessions`.","required":true,
                 "shape":{"kind":"single","field":"value","secret":true},
                 "request":{"baseUrl":"%s","allowedHosts":["%s"],"credential":[{"placement":"bearer"}]}}"""
                .formatted(provider.baseUrl(), host()));
    }

    private static ToolOutcome request(JsonNode entry, String args, Credentials credentials) {
        return engine.request(RequestTarget.ofEntry(entry).orElseThrow(), json(args), credentials, context()).await().atMost(Duration.ofSeconds(10));
    }

    private static String host() {
        return provider.baseUrl().replaceFirst("^http://", "");
    }

    private static Credentials single(String value) {
        return Credentials.fields(Map.of("value", Secret.of(value)));
    }

    private static Credentials oauth() {
        return Credentials.oauth(new TokenSet(Secret.of("gho_token"), null, "Bearer", Instant.now().plusSeconds(3600), List.of(), Map.of()));
    }

    private static DispatchContext context() {
        return new DispatchContext("call-1", "acme", "inst-1", Instant.now().plusSeconds(10), null);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
