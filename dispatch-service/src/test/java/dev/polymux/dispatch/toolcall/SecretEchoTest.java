package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.ToolCalls;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.Suite;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A provider that echoes the credential it was sent, in each form it might have seen it: the stored username and
 * password never reach a result, neither in a failure's message nor in a succeeded output (values and field names).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class SecretEchoTest {

    private static final String PLUGIN = "secret-echo";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper ASCII = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    @BeforeEach
    void platform() {
        Suite.published();
        Platform.connector("acme-echo", """
                {"id":"acme-echo","version":"1.0.0","label":"Acme Echo","kind":"vault","auth":{"shape":{"kind":"pair"}},
                 "tools":[{"name":"echo","description":"Echoes the request.",
                   "input":{"type":"object","required":["id"],"properties":{"id":{"type":"string","pattern":"^[a-z0-9-]+$"}}},
                   "http":{"method":"GET","url":"%s/echo/{id}","credential":{"placement":"basic"},"successCodes":[200]}}],
                 "allowedHosts":["localhost"]}""".formatted(ProviderStub.url("")));
        Platform.plugin(PLUGIN, """
                {"id":"%s","version":"1.0.0","label":"Secret echo","connections":[
                  {"kind":"vault","key":"echo","label":"Echo login","connector":"acme-echo"}]}""".formatted(PLUGIN));
    }

    @Test
    void everyEchoedFormOfTheCredentialIsRedactedInFailuresAndOutputs() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Platform.install(tenant, PLUGIN).get("echo");
        String user = "ada-" + UUID.randomUUID().toString().substring(0, 6);
        String password = "p@ss \"w\\ord\" é+&/=" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode stored = JSON.createObjectNode().put("username", user).put("password", password);
        Platform.storeCredentials(tenant, id, stored.toString());

        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("raw", password);
        forms.put("basic", Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        forms.put("token-basic", Base64.getEncoder().encodeToString((password + ":").getBytes(StandardCharsets.UTF_8)));
        forms.put("form-encoded", URLEncoder.encode(password, StandardCharsets.UTF_8));
        forms.put("percent-20", URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20"));
        String escaped = JSON.writeValueAsString(password);
        forms.put("json-escaped", escaped.substring(1, escaped.length() - 1));
        String asciiEscaped = ASCII.writeValueAsString(password);
        forms.put("json-unicode-escaped", asciiEscaped.substring(1, asciiEscaped.length() - 1));
        assertTrue(forms.get("json-unicode-escaped").contains("\\u00E9") || forms.get("json-unicode-escaped").contains("\\u00e9"),
                forms.get("json-unicode-escaped"));

        // Failures: the provider's message quotes the form (the body is JSON, so each form travels JSON-escaped once more).
        for (Map.Entry<String, String> form : forms.entrySet()) {
            String path = "fail-" + form.getKey() + "-" + tenant.substring(2);
            ProviderStub.server().stubFor(get(urlEqualTo("/echo/" + path)).willReturn(aResponse().withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody(JSON.createObjectNode().put("message", "no such thing for " + form.getValue()).toString())));
            JsonNode result = call(tenant, "{\"id\":\"" + path + "\"}");
            assertEquals("failed", result.path("data").path("status").asText(), result.toString());
            String message = result.path("data").path("error").path("message").asText();
            assertTrue(message.contains("no such thing for [redacted]"), form.getKey() + ": " + message);
            assertClean(result, forms, form.getKey());
        }

        // A success whose output echoes every form, as values, inside a JSON text, in an array and as a field name.
        ObjectNode echoed = JSON.createObjectNode();
        forms.forEach((name, value) -> echoed.put(name, "you sent " + value));
        echoed.put("requestBody", JSON.createObjectNode().put("password", password).put("user", user).toString());
        echoed.putArray("headers").add("Authorization: Basic " + forms.get("basic"));
        echoed.put(password, "keyed by the secret");
        echoed.put("ordinary", "Widget w-1");
        String path = "ok-" + tenant.substring(2);
        ProviderStub.server().stubFor(get(urlEqualTo("/echo/" + path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(echoed.toString())));
        JsonNode result = call(tenant, "{\"id\":\"" + path + "\"}");
        assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
        JsonNode output = result.path("data").path("output");
        assertEquals("Widget w-1", output.path("ordinary").asText(), "what is not a secret is left alone");
        assertEquals("you sent [redacted]", output.path("raw").asText());
        assertEquals("keyed by the secret", output.path("[redacted]").asText(), output.toString());
        assertClean(result, forms, "output");
    }

    @Test
    void aProvidersMessageCutShortInsideTheSecretLeavesNoPartOfIt() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String id = Platform.install(tenant, PLUGIN).get("echo");
        String password = "sk_live_" + UUID.randomUUID().toString().replace("-", "");
        Platform.storeCredentials(tenant, id, JSON.createObjectNode().put("username", "ada").put("password", password).toString());
        // The engine quotes the first 300 characters of the provider's message: this one is cut 14 characters into the key.
        String message = "x".repeat(300 - 14) + password;
        String path = "long-" + tenant.substring(2);
        ProviderStub.server().stubFor(get(urlEqualTo("/echo/" + path)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody(JSON.createObjectNode().put("message", message).toString())));

        JsonNode result = call(tenant, "{\"id\":\"" + path + "\"}");

        String quoted = result.path("data").path("error").path("message").asText();
        assertTrue(quoted.contains("xxxxx"), "the provider's message is still quoted: " + quoted);
        assertFalse(result.toString().contains(password.substring(0, 14)), "the start of the key reached the result: " + quoted);
        assertTrue(quoted.endsWith("[redacted]..."), quoted);
    }

    private static JsonNode call(String tenant, String arguments) {
        String callId = "call-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(ToolCalls.event(callId, tenant, PLUGIN, "echo", "echo", arguments, Instant.now().plusSeconds(30)));
            calls.flush();
            return results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }
    }

    private static void assertClean(JsonNode result, Map<String, String> forms, String what) {
        String wire = result.toString();
        for (Map.Entry<String, String> form : forms.entrySet()) {
            assertFalse(wire.contains(form.getValue()), what + ": the " + form.getKey() + " form reached the result: " + wire);
            assertFalse(result.path("data").toPrettyString().contains(form.getValue()), what + " (" + form.getKey() + ")");
        }
        assertFalse(wire.contains("w\\\\ord") || wire.contains("w\\ord"), what + ": part of the password reached the result: " + wire);
    }
}
