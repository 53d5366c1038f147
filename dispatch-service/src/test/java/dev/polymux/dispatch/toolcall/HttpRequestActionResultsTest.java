package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
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
 * What the results of {@code polymux.http_request} may say, end to end: a provider that echoes the credential in the
 * form it was sent (Basic of a templated username and password, a prefixed header, a URL-encoded query value) has
 * every form cut out; and answers on paths the workflow chose never make the tenant's connection look rejected.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class HttpRequestActionResultsTest {

    private static final String PLUGIN = "http-request-results";

    @BeforeEach
    void platform() {
        String host = ProviderStub.url("").replaceFirst("^http://", "");
        Platform.plugin(PLUGIN, """
                {"id":"%s","version":"1.0.0","label":"HTTP request results","connections":[
                  {"kind":"vault","key":"mailer","label":"Mailer API key","shape":{"kind":"single","field":"value","secret":true},
                   "request":{"baseUrl":"%s","allowedHosts":["%s"],"credential":[
                     {"placement":"basic","username":"api","password":"{value}"},
                     {"placement":"header","name":"X-Api-Key","prefix":"Key "},
                     {"placement":"query","name":"api_key","prefix":"k-"}]}}]}"""
                .formatted(PLUGIN, ProviderStub.url(""), host));
    }

    @Test
    void anEchoedCredentialIsRedactedInEveryFormItWasSent() {
        String tenant = tenant();
        String id = Platform.install(tenant, PLUGIN).get("mailer");
        String key = "mk_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "+/&=";
        Platform.storeCredentials(tenant, id, "{\"value\":\"" + key + "\"}");
        String echo = "{\"authorization\":\"{{{request.headers.Authorization}}}\",\"apiKey\":\"{{{request.headers.[X-Api-Key]}}}\","
                + "\"url\":\"{{{request.url}}}\",\"message\":\"denied for {{{request.headers.Authorization}}} at {{{request.url}}}\"}";
        ProviderStub.server().stubFor(get(urlPathEqualTo("/echo/ok-" + tenant)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(echo).withTransformers("response-template")));
        ProviderStub.server().stubFor(get(urlPathEqualTo("/echo/no-" + tenant)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody(echo).withTransformers("response-template")));

        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("raw", key);
        forms.put("basic", Base64.getEncoder().encodeToString(("api:" + key).getBytes(StandardCharsets.UTF_8)));
        forms.put("basic-unpadded", forms.get("basic").replace("=", ""));
        forms.put("query", URLEncoder.encode("k-" + key, StandardCharsets.UTF_8).replace("+", "%20"));
        forms.put("query-value", URLEncoder.encode(key, StandardCharsets.UTF_8));

        JsonNode succeeded = call(tenant, "{\"method\":\"GET\",\"path\":\"/echo/ok-" + tenant + "\"}");
        assertEquals("succeeded", succeeded.path("data").path("status").asText(), succeeded.toString());
        JsonNode body = succeeded.path("data").path("output").path("body");
        assertEquals("Basic [redacted]", body.path("authorization").asText(), body.toString());
        assertEquals("[redacted]", body.path("apiKey").asText(), "the prefixed header value as it was sent: " + body);
        assertTrue(body.path("url").asText().startsWith("/echo/ok-" + tenant + "?api_key="), body.toString());
        assertClean(succeeded, forms, "output");

        JsonNode failed = call(tenant, "{\"method\":\"GET\",\"path\":\"/echo/no-" + tenant + "\"}");
        assertEquals("PROVIDER_ERROR", failed.path("data").path("error").path("code").asText(), failed.toString());
        assertTrue(failed.path("data").path("error").path("message").asText().contains("denied for Basic [redacted]"), failed.toString());
        assertClean(failed, forms, "failure");
    }

    @Test
    void answersOnPathsTheWorkflowChoseNeverMakeTheConnectionLookRejected() throws Exception {
        String tenant = tenant();
        String id = Platform.install(tenant, PLUGIN).get("mailer");
        Platform.storeCredentials(tenant, id, "{\"value\":\"mk_fine_" + UUID.randomUUID().toString().replace("-", "") + "\"}");
        ProviderStub.server().stubFor(get(urlPathEqualTo("/admin/forbidden-" + tenant)).willReturn(aResponse().withStatus(403)));
        ProviderStub.server().stubFor(get(urlPathEqualTo("/other-auth/denied-" + tenant)).willReturn(aResponse().withStatus(401)));

        for (int i = 0; i < 4; i++) {
            JsonNode forbidden = call(tenant, "{\"method\":\"GET\",\"path\":\"/admin/forbidden-" + tenant + "\"}");
            assertEquals("PROVIDER_ERROR", forbidden.path("data").path("error").path("code").asText(), forbidden.toString());
            assertTrue(forbidden.path("data").path("error").path("message").asText().contains("HTTP 403"), forbidden.toString());
            JsonNode denied = call(tenant, "{\"method\":\"GET\",\"path\":\"/other-auth/denied-" + tenant + "\"}");
            assertEquals("CREDENTIALS_REJECTED", denied.path("data").path("error").path("code").asText(), denied.toString());
        }
        Thread.sleep(3000); // a credentials.rejected event, had one been published, reaches the registry within this
        given().port(RegistryServiceChild.port).header("Authorization", Platform.installer(tenant))
                .get("/tenants/" + tenant + "/installations/" + id).then().body("status", org.hamcrest.Matchers.equalTo("active"));
    }

    private static void assertClean(JsonNode result, Map<String, String> forms, String what) {
        String wire = result.toString();
        for (Map.Entry<String, String> form : forms.entrySet()) {
            assertFalse(wire.contains(form.getValue()), what + ": the " + form.getKey() + " form reached the result: " + wire);
        }
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode call(String tenant, String arguments) {
        String callId = "call-" + UUID.randomUUID();
        try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
            calls.publish(ToolCalls.event(callId, tenant, PLUGIN, "mailer", "polymux.http_request", arguments, Instant.now().plusSeconds(30)));
            calls.flush();
            return results.awaitCloudEvent(json -> callId.equals(json.path("data").path("callId").asText()));
        }
    }
}
