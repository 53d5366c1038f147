package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.connector.builtin.mqtt.MosquittoBroker;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.logging.LogCapture;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Tool calls through the dispatcher under test, on the real broker, with the real registry, vault-service and
 * oauth-service running beside it (child processes), a real OAuth2 server, a real Mosquitto, and a stub provider.
 * Each test is a tenant of its own, set up as users would: connector approved, plugin installed, credentials stored.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class DispatchPipelineTest {

    private static final String API_KEY = "acme_live_4f1c9e0b7d2a";

    @BeforeEach
    void platform() {
        Suite.published();
    }

    @Test
    void aVaultConnectorCallCarriesTheStoredKeyWhereTheManifestSaysAndContinuesTheTrace() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/w-1")).withHeader("X-Api-Key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"id\":\"w-1\",\"name\":\"Sprocket\"}")));
        ProviderStub.server().stubFor(post(urlEqualTo("/orders")).withHeader("X-Api-Key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"order\":\"o-9\"}")));

        JsonNode read = call(tenant, "acme", "get_widget", "{\"id\":\"w-1\"}");
        assertEquals("succeeded", read.path("data").path("status").asText(), read.toString());
        assertEquals("Sprocket", read.path("data").path("output").path("name").asText());
        assertEquals(1, read.path("data").path("attempts").asInt());
        EventSchemas.assertMatchesItsSchema(read);
        String resultTrace = read.path("traceparent").asText();
        assertTrue(resultTrace.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"), "the engine's trace continues: " + resultTrace);
        assertNotEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", resultTrace, "dispatch is a span of its own");
        LoggedRequest widget = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/widgets/w-1"))).getFirst();
        assertEquals(resultTrace, widget.getHeader("traceparent"), "the provider call carries dispatch's span");

        JsonNode order = call(tenant, "acme", "create_order", "{\"sku\":\"sku-1\"}");
        assertEquals("succeeded", order.path("data").path("status").asText(), order.toString());
        String callId = order.path("data").path("callId").asText();
        assertEquals(1, ProviderStub.server().findAll(postRequestedFor(urlEqualTo("/orders")).withHeader("Idempotency-Key", equalTo(callId))).size(),
                "the call id is the provider's idempotency key");
    }

    @Test
    void aRateLimitedCallWaitsForRetryAfterThenSucceeds() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        String sku = "sku-" + tenant;
        String scenario = "rate-limit-" + tenant;
        ProviderStub.server().stubFor(post(urlEqualTo("/orders")).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(sku))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2").withBody("{\"message\":\"slow down\"}")));
        ProviderStub.server().stubFor(post(urlEqualTo("/orders")).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(sku))
                .inScenario(scenario).whenScenarioStateIs("limited")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"order\":\"o-2\"}")));

        JsonNode result;
        List<String> retryLines;
        try (LogCapture logs = LogCapture.start()) {
            result = call(tenant, "acme", "create_order", "{\"sku\":\"" + sku + "\"}");
            retryLines = logs.linesContaining("attempt 1 got HTTP 429");
        }
        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        assertEquals(2, result.path("data").path("attempts").asInt());
        // The line about the retry says which call, tenant and installation it is about, as log context fields.
        String callId = result.path("data").path("callId").asText();
        assertEquals(1, retryLines.size(), retryLines.toString());
        assertTrue(retryLines.get(0).contains("mdc{callId=" + callId + ", installationId=" + id + ", pluginId=" + Suite.PLUGIN + ", tenantId=" + tenant
                + ", tool=create_order}"), retryLines.get(0));
        List<LoggedRequest> attempts = ProviderStub.server().findAll(postRequestedFor(urlEqualTo("/orders"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(sku)));
        assertEquals(2, attempts.size());
        long waitedMillis = attempts.get(1).getLoggedDate().getTime() - attempts.get(0).getLoggedDate().getTime();
        assertTrue(waitedMillis >= 2000, "the retry came " + waitedMillis + " ms after the 429 with Retry-After: 2");
    }

    @Test
    void anOAuthCallUsesATokenTheProviderAcceptsAndA401RefreshesOnceThenSucceeds() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme_oauth");
        Platform.connect(tenant, id);
        ProviderStub.server().stubFor(get(urlEqualTo("/oauth/me")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"user\":\"machine\"}")));
        JsonNode first = call(tenant, "acme_oauth", "whoami", "{\"path\":\"me\"}");
        assertEquals("succeeded", first.path("data").path("status").asText(), first.toString());
        String firstToken = bearer(ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/oauth/me"))).getLast());
        assertTrue(AuthorizationServer.issued(firstToken), "the provider got a token its authorization server issued");

        String path = "again" + tenant.replaceAll("[^a-z]", "");
        String scenario = "revoked-" + tenant;
        ProviderStub.server().stubFor(get(urlEqualTo("/oauth/" + path)).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("refreshed").willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_token\"}")));
        ProviderStub.server().stubFor(get(urlEqualTo("/oauth/" + path)).inScenario(scenario).whenScenarioStateIs("refreshed")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"user\":\"machine\"}")));
        JsonNode second = call(tenant, "acme_oauth", "whoami", "{\"path\":\"" + path + "\"}");
        assertEquals("succeeded", second.path("data").path("status").asText(), second.toString());
        assertEquals(2, second.path("data").path("attempts").asInt());
        List<LoggedRequest> attempts = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/oauth/" + path)));
        assertEquals(2, attempts.size(), "one retry after one refresh");
        assertEquals(firstToken, bearer(attempts.get(0)), "the cached token was tried first");
        assertNotEquals(firstToken, bearer(attempts.get(1)), "the retry carried a new token");
        assertTrue(AuthorizationServer.issued(bearer(attempts.get(1))));
    }

    @Test
    void aBrokenInstallationEndsWithTheRegistrysSentenceAndTheProviderIsNotCalled() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme_oauth");
        Platform.connect(tenant, id);
        String sentence = "Access to Acme was revoked; reconnect the connection.";
        // What oauth-service publishes when the provider answers invalid_grant.
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/oauth-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"reason":"%s","providerError":"invalid_grant"}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.GRANT_BROKEN, id, Instant.now(), sentence),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
        Platform.awaitStatus(tenant, id, "broken");

        String path = "broken" + tenant.replaceAll("[^a-z]", "");
        JsonNode result = call(tenant, "acme_oauth", "whoami", "{\"path\":\"" + path + "\"}");
        assertEquals("failed", result.path("data").path("status").asText());
        assertEquals("CONNECTION_NOT_ACTIVE", result.path("data").path("error").path("code").asText());
        assertEquals(sentence, result.path("data").path("error").path("message").asText());
        assertFalse(result.path("data").path("error").path("retriable").asBoolean());
        assertEquals(0, result.path("data").path("attempts").asInt());
        assertEquals(0, ProviderStub.server().findAll(getRequestedFor(urlPathMatching("/oauth/" + path))).size(), "provider untouched");
    }

    @Test
    void badArgumentsUnknownToolsAndMissingConnectionsEndAtOnceWithoutAProviderCall() {
        String tenant = tenant();
        String id = Platform.install(tenant, Suite.PLUGIN).get("acme");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + API_KEY + "\"}");
        int before = ProviderStub.server().getAllServeEvents().size();

        JsonNode bad = call(tenant, "acme", "get_widget", "{\"id\":\"NOT A VALID ID " + API_KEY + "\"}");
        assertEquals("BAD_ARGUMENTS", bad.path("data").path("error").path("code").asText(), bad.toString());
        assertTrue(bad.path("data").path("error").path("message").asText().contains("/id pattern"), bad.toString());
        assertFalse(bad.toString().contains(API_KEY), "an argument value is never echoed");

        JsonNode unknown = call(tenant, "acme", "delete_everything", "{}");
        assertEquals("UNKNOWN_TOOL", unknown.path("data").path("error").path("code").asText());
        assertTrue(unknown.path("data").path("error").path("message").asText().contains("get_widget"), "names the tools there are");

        JsonNode notInstalled = call(tenant(), "acme", "get_widget", "{\"id\":\"w-1\"}");
        assertEquals("CONNECTION_NOT_FOUND", notInstalled.path("data").path("error").path("code").asText());

        assertEquals(before, ProviderStub.server().getAllServeEvents().size(), "no provider call for any of them");
    }

    @Test
    void theMqttIntegrationPublishesToARealMosquitto(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir)) {
            String tenant = tenant();
            String id = Platform.install(tenant, Suite.PLUGIN).get("broker");
            // The installer's setup step, against the real broker: a wrong password is a sentence and leaves it pending.
            JsonPath refused = Platform.setUp(tenant, id, "test-connection", """
                    {"broker_url":"%s","username":"%s","password":"not-the-password"}""".formatted(broker.url(), MosquittoBroker.USER));
            assertFalse(refused.getBoolean("passed"), refused.prettify());
            assertFalse(refused.getString("message").contains("not-the-password"), refused.getString("message"));
            Platform.awaitStatus(tenant, id, "pending");
            JsonPath connected = Platform.setUp(tenant, id, "test-connection", """
                    {"broker_url":"%s","username":"%s","password":"%s"}""".formatted(broker.url(), MosquittoBroker.USER, MosquittoBroker.PASSWORD));
            assertTrue(connected.getBoolean("passed") && connected.getBoolean("setupComplete"), connected.prettify());
            assertEquals("Connected to the broker.", connected.getString("message"));
            Platform.awaitStatus(tenant, id, "active");
            Path received = dir.resolve("received.txt");
            Process subscriber = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port()),
                    "-u", MosquittoBroker.USER, "-P", MosquittoBroker.PASSWORD, "-t", "plant/line-1", "-C", "1", "-W", "30")
                    .redirectErrorStream(true).redirectOutput(received.toFile()).start();
            Thread.sleep(500); // subscribed before the publish
            JsonNode result = call(tenant, "broker", "publish", "{\"topic\":\"plant/line-1\",\"payload\":\"temperature=21.5\",\"qos\":1}");
            assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            assertEquals("plant/line-1", result.path("data").path("output").path("topic").asText());
            assertTrue(subscriber.waitFor(20, TimeUnit.SECONDS), "the subscriber got its message");
            assertEquals("temperature=21.5", Files.readString(received, StandardCharsets.UTF_8).trim());
        }
    }

    @Test
    void noCredentialReachesALogAResultOrAMetric() {
        String tenant = tenant();
        Map<String, String> ids = Platform.install(tenant, Suite.PLUGIN);
        String key = "acme_live_scan_" + UUID.randomUUID().toString().replace("-", "");
        Platform.storeCredentials(tenant, ids.get("acme"), "{\"value\":\"" + key + "\"}");
        Platform.connect(tenant, ids.get("acme_oauth"));
        String path = "scan" + tenant.replaceAll("[^a-z]", "");
        ProviderStub.server().stubFor(get(urlEqualTo("/widgets/scan-1")).willReturn(aResponse().withStatus(500)
                .withBody("{\"message\":\"echoing your key " + key + "\"}")));
        ProviderStub.server().stubFor(get(urlEqualTo("/oauth/" + path)).willReturn(aResponse().withStatus(401)));
        try (LogCapture logs = LogCapture.start()) {
            JsonNode failedVault = call(tenant, "acme", "get_widget", "{\"id\":\"scan-1\"}");
            JsonNode failedOAuth = call(tenant, "acme_oauth", "whoami", "{\"path\":\"" + path + "\"}");
            assertEquals("CREDENTIALS_REJECTED", failedOAuth.path("data").path("error").path("code").asText(), failedOAuth.toString());
            List<String> tokens = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/oauth/" + path))).stream().map(DispatchPipelineTest::bearer).toList();
            assertEquals(2, tokens.size(), "rejected, refreshed once, rejected again: no third attempt");
            String metrics = io.restassured.RestAssured.given().port(19284).get("/q/metrics").asString();
            for (String secret : concat(key, tokens)) {
                assertEquals(List.of(), logs.linesContaining(secret), "no log line holds a credential");
                assertFalse(failedVault.toString().contains(secret) || failedOAuth.toString().contains(secret), "no result holds one");
                assertFalse(metrics.contains(secret), "no metric holds one");
            }
            assertTrue(metrics.contains("polymux_dispatch_calls_total"), "the metrics are there to be scanned");
            assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag"), "consumer lag is served for operators");
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>(rest);
        all.addFirst(first);
        return all;
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Publishes one call and waits for its one result. */
    static JsonNode call(String tenant, String connectionKey, String tool, String arguments) {
        String callId = "call-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(ToolCalls.event(callId, tenant, Suite.PLUGIN, connectionKey, tool, arguments, Instant.now().plusSeconds(30)));
            calls.flush();
            return results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }
    }

    private static String bearer(LoggedRequest request) {
        return request.getHeader("Authorization").substring("Bearer ".length());
    }
}
