package dev.polymux.oauth.connector;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.connector.engine.Pkce;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * test-connector: a code caught from a real redirect goes through the connector's handler; the tokens come back
 * shortened. And, as an attacker with an author's token would try it: the platform's OAuth clients never go to
 * endpoints from a request, and no endpoint on an internal address is ever called.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(RegistryServiceChild.class)
class TestConnectorTest {

    private static final String AUTHOR = TestTokens.bearer("acme", "ada", "author");
    private static final String INTRUDER = TestTokens.bearer("intruder", "mallory", "author");
    private static final String REDIRECT = "http://localhost:9999/oauth/callback";
    /** acme-oauth's OAuth client in this service's %test configuration: the platform's, for an approved connector only. */
    private static final String PLATFORM_BASIC = "Basic " + Base64.getEncoder().encodeToString("polymux-test:polymux-test-secret"
            .getBytes(StandardCharsets.UTF_8));

    private static WireMockServer attacker;

    @BeforeAll
    static void startAttackersServer() {
        attacker = new WireMockServer(options().dynamicPort());
        attacker.start();
    }

    @AfterAll
    static void stopAttackersServer() {
        attacker.stop();
    }

    @BeforeEach
    void answerLikeATokenEndpoint() {
        attacker.resetAll();
        attacker.stubFor(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"attacker-issued-token\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
    }

    @Test
    void aCodeFromTheTestServerComesBackAsANormalisedTokenSetWithTheClientGiven() {
        String verifier = Pkce.newVerifier();
        String code = Connections.allow(authorizeUrl(verifier)).get("code");

        given().header("Authorization", AUTHOR).contentType(ContentType.JSON)
                .body("{\"manifest\":" + AuthorizationServer.manifest("acme-draft") + ",\"client\":{\"clientId\":\"ada-dev-app\","
                        + "\"clientSecret\":\"ada-dev-secret\"},\"code\":\"" + code + "\",\"codeVerifier\":\"" + verifier
                        + "\",\"redirectUri\":\"" + REDIRECT + "\"}")
                .post("/admin/test-connector").then().statusCode(200)
                .body("connectorId", org.hamcrest.Matchers.equalTo("acme-draft"))
                .body("accessToken", matchesPattern("^.{8}….{4}$"))
                .body("refreshToken", org.hamcrest.Matchers.equalTo(true))
                .body("tokenType", org.hamcrest.Matchers.equalTo("Bearer"));

        // A manifest that does not fit the schema is named before anything is sent to a provider.
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON)
                .body("{\"manifest\":{\"id\":\"acme-oauth\",\"kind\":\"oauth\"},\"code\":\"" + code + "\"}")
                .post("/admin/test-connector").then().statusCode(400).body("detail", containsString("manifest is not valid"));
        given().header("Authorization", TestTokens.bearer("acme", "ian", "installer")).contentType(ContentType.JSON).body("{\"code\":\"x\"}")
                .post("/admin/test-connector").then().statusCode(403);
    }

    @Test
    void aPublishedConnectorRunsWithThePlatformsClientAndItsApprovedEndpoints() {
        Registry.approve("acme-published", AuthorizationServer.manifest("acme-published"));
        given().header("Authorization", TestTokens.bearer("polymux", "olga", "admin")).contentType(ContentType.JSON)
                .body("{\"clientId\":\"polymux-published\",\"clientSecret\":\"polymux-published-secret\"}")
                .put("/admin/oauth-clients/acme-published").then().statusCode(200);
        String verifier = Pkce.newVerifier();
        String code = Connections.allow(authorizeUrl(verifier)).get("code");

        given().header("Authorization", AUTHOR).contentType(ContentType.JSON)
                .body("{\"connectorId\":\"acme-published\",\"code\":\"" + code + "\",\"codeVerifier\":\"" + verifier + "\",\"redirectUri\":\""
                        + REDIRECT + "\"}")
                .post("/admin/test-connector").then().statusCode(200)
                .body("connectorId", org.hamcrest.Matchers.equalTo("acme-published"))
                .body("refreshToken", org.hamcrest.Matchers.equalTo(true));

        // Not approved (or not there): refused, with where to go instead.
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("{\"connectorId\":\"never-published\",\"code\":\"x\"}")
                .post("/admin/test-connector").then().statusCode(404).body("detail", containsString("no approved connector never-published"));
    }

    @Test
    void anUnpublishedManifestNeverGetsThePlatformsClient() {
        // The id of a connector whose OAuth client the platform holds, endpoints of the attacker's choosing, no client.
        given().header("Authorization", INTRUDER).contentType(ContentType.JSON)
                .body("{\"manifest\":" + manifestAt("acme-oauth", attacker.baseUrl()) + ",\"code\":\"any\"}")
                .post("/admin/test-connector").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("only with the OAuth client you give"));

        attacker.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anUnpublishedManifestRunsWithTheClientItIsGivenAndNoOther() {
        given().header("Authorization", INTRUDER).contentType(ContentType.JSON)
                .body("{\"manifest\":" + manifestAt("acme-oauth", attacker.baseUrl()) + ",\"client\":{\"clientId\":\"mallory-app\","
                        + "\"clientSecret\":\"mallory-secret\"},\"code\":\"any\"}")
                .post("/admin/test-connector").then().statusCode(200);

        attacker.verify(1, postRequestedFor(urlPathEqualTo("/token")).withHeader("Authorization", equalTo("Basic "
                + Base64.getEncoder().encodeToString("mallory-app:mallory-secret".getBytes(StandardCharsets.UTF_8)))));
        attacker.getAllServeEvents().forEach(served -> {
            assertTrue(!PLATFORM_BASIC.equals(served.getRequest().getHeader("Authorization")), "the platform's client reached the attacker");
            assertTrue(!served.getRequest().getBodyAsString().contains("polymux-test-secret"), "the platform's secret reached the attacker");
        });
    }

    @Test
    void endpointsOnInternalAddressesAreRefusedBeforeAnyConnection() {
        // 127.0.0.2 reaches this machine's loopback (the attacker's stub listens there too) but is not on the allow list,
        // as an internal service would not be.
        String internal = attacker.baseUrl().replace("localhost", "127.0.0.2");
        given().header("Authorization", INTRUDER).contentType(ContentType.JSON)
                .body("{\"manifest\":" + manifestAt("probe", internal) + ",\"client\":{\"clientId\":\"x\",\"clientSecret\":\"y\"},\"code\":\"any\"}")
                .post("/admin/test-connector").then().statusCode(400).contentType("application/problem+json")
                // Review refuses the IP literal before the address guard would; connectors' tests cover the guard's own
                // refusal of a name that resolves to an internal address.
                .body("detail", containsString("host is an IP address"))
                .body("detail", not(containsString("y\"")));
        given().header("Authorization", INTRUDER).contentType(ContentType.JSON)
                .body("{\"manifest\":" + manifestAt("probe", "https://user:pw@api.example.com") + ",\"client\":{\"clientId\":\"x\"},"
                        + "\"code\":\"any\"}")
                .post("/admin/test-connector").then().statusCode(400).body("detail", containsString("user information"));

        attacker.verify(0, anyRequestedFor(anyUrl()));
    }

    private static URI authorizeUrl(String verifier) {
        return URI.create(AuthorizationServer.server().authorizationEndpointUrl(AuthorizationServer.ISSUER) + "?response_type=code"
                + "&client_id=polymux-test&scope=openid&state=by-hand&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8)
                + "&code_challenge=" + Pkce.challenge(verifier) + "&code_challenge_method=S256");
    }

    private static String manifestAt(String id, String base) {
        return """
                {"id":"%s","version":"9.9.9","label":"Not Acme","kind":"oauth",
                 "auth":{"authorizationUrl":"%s/authorize","tokenUrl":"%s/token","scopes":["read"],"pkce":false},
                 "tools":[{"name":"noop","description":"Does nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}"""
                .formatted(id, base, base);
    }

    /** Publishes and approves a connector in the real registry, as its author and a platform reviewer would. */
    static final class Registry {
        private static final String PLATFORM_AUTHOR = TestTokens.bearer("polymux", "paula", "author");
        private static final String PLATFORM_REVIEWER = TestTokens.bearer("polymux", "rita", "reviewer");

        static void approve(String id, String manifest) {
            given().port(RegistryServiceChild.port).header("Authorization", PLATFORM_AUTHOR).contentType(ContentType.JSON).body(manifest)
                    .post("/tenants/polymux/connectors").then().statusCode(201);
            given().port(RegistryServiceChild.port).header("Authorization", PLATFORM_AUTHOR)
                    .post("/tenants/polymux/connectors/" + id + "/versions/1.0.0/submit").then().statusCode(200);
            given().port(RegistryServiceChild.port).header("Authorization", PLATFORM_REVIEWER).contentType(ContentType.JSON)
                    .body("{\"note\":\"Test connector.\"}").post("/reviews/connectors/" + id + "/versions/1.0.0/approve").then().statusCode(200);
        }
    }
}
