package dev.polymux.oauth.authorization;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Connections.Browser;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Mix-up defence (RFC 9207): an authorization response's {@code iss} must be the connector's issuer, and is required
 * when the provider's metadata promises it ({@code authorization_response_iss_parameter_supported}); otherwise the
 * callback is refused before any code is exchanged, and nothing is stored.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class IssuerCheckTest {

    private static WireMockServer metadata;

    @BeforeAll
    static void startMetadata() {
        metadata = new WireMockServer(options().dynamicPort());
        metadata.start();
    }

    @AfterAll
    static void stopMetadata() {
        metadata.stop();
    }

    @Test
    void aResponseFromTheConnectorsIssuerConnects() {
        String id = Connections.installed("umbrella", "acme-oauth", "1.1.0", manifestNaming(issuer(), "1.1.0"));
        Browser browser = new Browser();
        URI callback = browser.allow(browser.toProvider(Connections.startUrl("umbrella", id, null)));
        HttpResponse<String> landed = browser.get(withIss(callback, issuer()));
        assertEquals(200, landed.statusCode(), landed.body());
        assertEquals("connected", json(landed).path("status").asText());
    }

    @Test
    void aResponseNamingAnotherIssuerIsRefusedBeforeTheCodeIsUsedAndStoresNothing() throws Exception {
        String id = Connections.installed("umbrella", "acme-oauth", "1.1.0", manifestNaming(issuer(), "1.1.0"));
        Browser browser = new Browser();
        URI callback = browser.allow(browser.toProvider(Connections.startUrl("umbrella", id, null)));
        try (Stored stored = new Stored(); KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            HttpResponse<String> refused = browser.get(withIss(callback, "https://attacker.example/acme"));
            assertEquals(400, refused.statusCode(), "a response from another authorization server: " + refused.body());
            assertEquals("This answer did not come from Acme's authorization server (its issuer is not Acme's), so it was refused and "
                    + "nothing was connected. Start connecting again from the app.", json(refused).path("detail").asText());
            assertFalse(refused.body().contains("attacker.example"), "the foreign issuer is not echoed: " + refused.body());

            // An error redirect is checked the same way before its sentence is shown.
            URI denied = URI.create(callback.toString().replaceAll("([?&])code=[^&]*", "$1error=access_denied"));
            HttpResponse<String> deniedElsewhere = browser.get(withIss(denied, "https://attacker.example/acme"));
            assertEquals(400, deniedElsewhere.statusCode(), deniedElsewhere.body());
            assertTrue(json(deniedElsewhere).path("detail").asText().startsWith("This answer did not come from Acme's"), deniedElsewhere.body());

            stored.assertNothingFor("umbrella", id, events);
        }
        // Nothing was consumed: the genuine response still connects.
        HttpResponse<String> landed = browser.get(withIss(callback, issuer()));
        assertEquals(200, landed.statusCode(), landed.body());
    }

    @Test
    void aResponseWithAnIssuerIsRefusedWhenTheConnectorNamesNone() throws Exception {
        String id = Connections.installed("umbrella", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        Browser browser = new Browser();
        URI callback = browser.allow(browser.toProvider(Connections.startUrl("umbrella", id, null)));
        try (Stored stored = new Stored(); KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            HttpResponse<String> refused = browser.get(withIss(callback, issuer()));
            assertEquals(400, refused.statusCode(), "iss with no issuer to compare it to: " + refused.body());
            assertEquals("The answer names an authorization server (iss), but the Acme connector does not name its issuer, so it "
                    + "cannot be checked and was refused; nothing was connected. The connector's author has to add auth.issuer to "
                    + "its manifest.", json(refused).path("detail").asText());
            stored.assertNothingFor("umbrella", id, events);
        }
    }

    @Test
    void whenTheProvidersMetadataPromisesIssAResponseWithoutItIsRefused() throws Exception {
        // mock-oauth2-server sends no iss and does not advertise it, so the metadata that does comes from WireMock,
        // pointing at the real server's endpoints.
        JsonNode own = json(new Browser().get(URI.create(AuthorizationServer.server().wellKnownUrl(AuthorizationServer.ISSUER).toString())));
        assertTrue(own.path("authorization_response_iss_parameter_supported").isMissingNode(), own.toString());
        metadata.stubFor(get(urlEqualTo("/acme/.well-known/openid-configuration")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"issuer":"%s","authorization_endpoint":"%s","token_endpoint":"%s","jwks_uri":"%s",
                         "response_types_supported":["code"],"authorization_response_iss_parameter_supported":true}"""
                        .formatted(issuer(), AuthorizationServer.server().authorizationEndpointUrl(AuthorizationServer.ISSUER),
                                AuthorizationServer.server().tokenEndpointUrl(AuthorizationServer.ISSUER),
                                AuthorizationServer.server().jwksUrl(AuthorizationServer.ISSUER)))));
        String manifest = """
                {"id":"acme-oauth","version":"1.2.0","label":"Acme","kind":"oauth",
                 "auth":{"discoveryUrl":"%s","scopes":["openid","read"],"defaultScopes":["openid"],"pkce":true,"refreshWindow":"PT8S"},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(metadata.baseUrl() + "/acme/.well-known/openid-configuration");
        String id = Connections.installed("umbrella", "acme-oauth", "1.2.0", manifest);
        Browser browser = new Browser();
        URI callback = browser.allow(browser.toProvider(Connections.startUrl("umbrella", id, null)));
        try (Stored stored = new Stored(); KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            HttpResponse<String> refused = browser.get(callback);
            assertEquals(400, refused.statusCode(), "no iss although the metadata promises it: " + refused.body());
            assertEquals("This answer did not say which authorization server sent it (no iss), although Acme's always does, so it "
                    + "was refused and nothing was connected. Start connecting again from the app.", json(refused).path("detail").asText());
            stored.assertNothingFor("umbrella", id, events);
        }
        HttpResponse<String> landed = browser.get(withIss(callback, issuer()));
        assertEquals(200, landed.statusCode(), landed.body());
        assertEquals("connected", json(landed).path("status").asText());
    }

    private static String issuer() {
        return AuthorizationServer.server().issuerUrl(AuthorizationServer.ISSUER).toString();
    }

    /** The test server's connector, naming its issuer ({@code auth.issuer}). */
    private static String manifestNaming(String issuer, String version) {
        return """
                {"id":"acme-oauth","version":"%s","label":"Acme","kind":"oauth",
                 "auth":{"authorizationUrl":"%s","tokenUrl":"%s","issuer":"%s","scopes":["openid","read"],"defaultScopes":["openid"],
                   "pkce":true,"refreshWindow":"PT8S"},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(version, AuthorizationServer.server().authorizationEndpointUrl(AuthorizationServer.ISSUER),
                        AuthorizationServer.server().tokenEndpointUrl(AuthorizationServer.ISSUER), issuer);
    }

    /** The provider's redirect as an RFC 9207 server sends it: with iss. */
    private static URI withIss(URI callback, String iss) {
        return URI.create(callback + "&iss=" + URLEncoder.encode(iss, StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) {
        return KafkaEvents.parse(response.body());
    }
}
