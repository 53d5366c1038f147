package dev.polymux.oauth.clientregistration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * OAuth clients as data: the platform's default registered by its admins, a tenant's own winning for that tenant's
 * installations, secrets write-only; and a token endpoint that hangs holds nobody.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class ClientRegistrationTest {

    private static final String PLATFORM_ADMIN = TestTokens.bearer("polymux", "olga", "admin");

    private static WireMockServer slowProvider;

    @BeforeAll
    static void startSlowProvider() {
        slowProvider = new WireMockServer(options().dynamicPort());
        slowProvider.start();
    }

    @AfterAll
    static void stopSlowProvider() {
        slowProvider.stop();
    }

    @Test
    void aTenantsOwnClientWinsForItsInstallationsAndThePlatformsServesTheOthers() {
        given().header("Authorization", PLATFORM_ADMIN).contentType(ContentType.JSON)
                .body("{\"clientId\":\"platform-app\",\"clientSecret\":\"platform-app-secret\"}")
                .put("/admin/oauth-clients/acme-byo").then().statusCode(200)
                .body("owner", equalTo("platform")).body("clientId", equalTo("platform-app")).body("secretStored", equalTo(true))
                .body("redirectUri", equalTo("http://localhost:18182/oauth/callback"))
                .body(not(containsString("platform-app-secret")));
        given().header("Authorization", PLATFORM_ADMIN).get("/admin/oauth-clients/acme-byo").then().statusCode(200)
                .body("secretFingerprint", startsWith("sha256:")).body(not(containsString("platform-app-secret")));
        given().header("Authorization", Connections.installer("wayne")).contentType(ContentType.JSON)
                .body("{\"clientId\":\"wayne-app\",\"clientSecret\":\"wayne-app-secret\"}")
                .put("/tenants/wayne/oauth-clients/acme-byo").then().statusCode(200)
                .body("owner", equalTo("wayne")).body(not(containsString("wayne-app-secret")));

        String wayne = Connections.installed("wayne", "acme-byo", AuthorizationServer.manifest("acme-byo"));
        String stark = Connections.installed("stark", "acme-byo", AuthorizationServer.manifest("acme-byo"));
        assertEquals("wayne-app", Connections.query(Connections.authorizeUrl("wayne", wayne, null)).get("client_id"));
        assertEquals("platform-app", Connections.query(Connections.authorizeUrl("stark", stark, null)).get("client_id"));

        // The code exchange authenticates as the tenant's own app, never as the platform's.
        // Other classes' grants refresh against the same token endpoint meanwhile: look at the requests since the
        // connect began, not at the last one.
        int before = AuthorizationServer.tokenRequestAuthorizations().size();
        Connections.connect("wayne", wayne);
        List<String> authorizations = AuthorizationServer.tokenRequestAuthorizations();
        List<String> since = authorizations.subList(before, authorizations.size());
        assertTrue(since.contains(basic("wayne-app", "wayne-app-secret")), "the exchange authenticated as wayne-app: " + since.size());
        assertFalse(since.contains(basic("platform-app", "platform-app-secret")), "never as the platform's app");

        // Without it, the tenant's installations use the platform's client again.
        given().header("Authorization", Connections.installer("wayne")).delete("/tenants/wayne/oauth-clients/acme-byo")
                .then().statusCode(204);
        assertEquals("platform-app", Connections.query(Connections.authorizeUrl("wayne", wayne, null)).get("client_id"));
    }

    @Test
    void onlyThePlatformsAdminsRegisterItsClientsAndTenantsSeeOnlyTheirOwn() {
        given().header("Authorization", TestTokens.bearer("acme", "eve", "admin")).contentType(ContentType.JSON)
                .body("{\"clientId\":\"x\",\"clientSecret\":\"y\"}").put("/admin/oauth-clients/acme-oauth")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("Only the platform's admins"));
        given().header("Authorization", Connections.installer("wayne")).contentType(ContentType.JSON)
                .body("{\"clientId\":\"x\",\"clientSecret\":\"y\"}").put("/admin/oauth-clients/acme-oauth").then().statusCode(403);
        given().header("Authorization", Connections.installer("gotham")).contentType(ContentType.JSON)
                .body("{\"clientId\":\"gotham-app\",\"clientSecret\":\"gotham-secret\"}").put("/tenants/gotham/oauth-clients/acme-oauth")
                .then().statusCode(200);
        // Another tenant's client does not exist, as far as anyone else can tell.
        given().header("Authorization", Connections.installer("wayne")).get("/tenants/gotham/oauth-clients/acme-oauth").then().statusCode(404);
        given().header("Authorization", Connections.installer("wayne")).delete("/tenants/gotham/oauth-clients/acme-oauth").then().statusCode(404);
        given().header("Authorization", Connections.installer("gotham")).get("/tenants/gotham/oauth-clients/acme-oauth").then().statusCode(200)
                .body("clientId", equalTo("gotham-app"));
    }

    @Test
    void aBadClientIsNamedWithoutEchoingIt() {
        given().header("Authorization", PLATFORM_ADMIN).contentType(ContentType.JSON)
                .body("{\"clientId\":\"ok\",\"clientSecret\":\"s3cr3t-with-a-newline\\n\"}").put("/admin/oauth-clients/acme-oauth")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/clientSecret"))
                .body(not(containsString("s3cr3t-with-a-newline")));
        given().header("Authorization", PLATFORM_ADMIN).contentType(ContentType.JSON).body("{\"clientSecret\":\"x\"}")
                .put("/admin/oauth-clients/Not_A_Connector").then().statusCode(400)
                .body("errors.pointer", org.hamcrest.Matchers.hasItems("/connectorId", "/clientId"));
    }

    @Test
    void aTokenEndpointThatHangsHoldsNoCallerAndBreaksNothing() throws Exception {
        slowProvider.stubFor(post(urlPathEqualTo("/token")).withRequestBody(containing("grant_type=authorization_code"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                        "{\"access_token\":\"slow-at-1\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"slow-rt-1\"}")));
        slowProvider.stubFor(post(urlPathEqualTo("/token")).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(aResponse().withFixedDelay(60_000).withStatus(200)));
        // A connector of its own: an approved connector version is immutable, and handlers are kept per version.
        String manifest = AuthorizationServer.manifest("acme-slow").replace(AuthorizationServer.server().tokenEndpointUrl(AuthorizationServer.ISSUER)
                .toString(), slowProvider.baseUrl() + "/token");
        given().header("Authorization", PLATFORM_ADMIN).contentType(ContentType.JSON)
                .body("{\"clientId\":\"slow-app\",\"clientSecret\":\"slow-app-secret\"}").put("/admin/oauth-clients/acme-slow")
                .then().statusCode(200);
        String id = Connections.installed("hooli", "acme-slow", manifest);
        Connections.connect("hooli", id);
        try (Tokens tokens = new Tokens(RestAssured.port)) {
            AccessToken first = tokens.accessToken("hooli", id, 1);
            tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder().setTenantId("hooli")
                    .setInstallationId(id).setAccessToken(first.getAccessToken()).build());

            // The refresh hangs at the provider: the caller hears UNAVAILABLE (try again), not nothing, and the grant stands.
            StatusRuntimeException busy = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken("hooli", id, 1));
            assertEquals(Status.Code.UNAVAILABLE, busy.getStatus().getCode(), busy.getStatus().toString());

            // The provider answers again: the next caller is not stuck behind the hung attempt.
            slowProvider.resetAll();
            slowProvider.stubFor(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(200).withHeader("Content-Type",
                    "application/json").withBody("{\"access_token\":\"slow-at-2\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                            + "\"refresh_token\":\"slow-rt-2\"}")));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> !tokens.accessToken("hooli", id, 1).getAccessToken().equals(first.getAccessToken()));
            assertNotEquals(first.getAccessToken(), tokens.accessToken("hooli", id, 1).getAccessToken());
            assertTrue(tokens.stored("hooli", id).getRefreshToken().equals("slow-rt-2"));
        }
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
