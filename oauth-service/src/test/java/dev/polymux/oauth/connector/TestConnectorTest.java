package dev.polymux.oauth.connector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.polymux.connector.engine.Pkce;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** test-connector: a code caught from a real redirect goes through the connector's handler; the tokens come back shortened. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class TestConnectorTest {

    private static final String AUTHOR = TestTokens.bearer("acme", "ada", "author");
    private static final String REDIRECT = "http://localhost:9999/oauth/callback";

    @Test
    void aCodeFromTheTestServerComesBackAsANormalisedTokenSet() {
        String verifier = Pkce.newVerifier();
        URI authorize = URI.create(AuthorizationServer.server().authorizationEndpointUrl(AuthorizationServer.ISSUER) + "?response_type=code"
                + "&client_id=polymux-test&scope=openid&state=by-hand&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8)
                + "&code_challenge=" + Pkce.challenge(verifier) + "&code_challenge_method=S256");
        String code = Connections.allow(authorize).get("code");

        given().header("Authorization", AUTHOR).contentType(ContentType.JSON)
                .body(body(code, verifier))
                .post("/admin/test-connector").then().statusCode(200)
                .body("connectorId", equalTo("acme-oauth"))
                .body("accessToken", matchesPattern("^.{8}….{4}$"))
                .body("refreshToken", equalTo(true))
                .body("tokenType", equalTo("Bearer"));

        // A manifest that does not fit the schema is named before anything is sent to a provider.
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON)
                .body("{\"manifest\":{\"id\":\"acme-oauth\",\"kind\":\"oauth\"},\"code\":\"" + code + "\"}")
                .post("/admin/test-connector").then().statusCode(400).body("detail", containsString("manifest is not valid"));
        given().header("Authorization", TestTokens.bearer("acme", "ian", "installer")).contentType(ContentType.JSON).body("{\"code\":\"x\"}")
                .post("/admin/test-connector").then().statusCode(403);
    }

    private static String body(String code, String verifier) {
        return "{\"manifest\":" + AuthorizationServer.manifest("acme-oauth") + ",\"code\":\"" + code + "\",\"codeVerifier\":\"" + verifier
                + "\",\"redirectUri\":\"" + REDIRECT + "\"}";
    }
}
