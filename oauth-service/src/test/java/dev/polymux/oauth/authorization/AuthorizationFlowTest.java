package dev.polymux.oauth.authorization;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.authorization.repository.AuthorizationRequestRepository;
import dev.polymux.oauth.authorization.service.StateKeys;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.proto.vault.v1.GetTokenSetRequest;
import dev.polymux.proto.vault.v1.TokenSet;
import dev.polymux.proto.vault.v1.VaultServiceGrpc;
import dev.polymux.testing.grpc.GrpcChannels;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Authorize → provider → callback → tokens in the real vault-service → "authorized"; and every refusal, storing nothing. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class AuthorizationFlowTest {

    private static final String RETURN = "https://app.polymux.test/connections";

    @Inject
    AuthorizationRequestRepository requests;

    private ManagedChannel vaultChannel;

    @BeforeEach
    void connect() {
        vaultChannel = GrpcChannels.open(VaultServiceChild.port);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(vaultChannel);
    }

    @Test
    void authorizeCallbackStoresTheTokensInTheVaultAndAnnouncesTheGrant() {
        String id = Connections.installed("globex", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        URI authorize = Connections.authorizeUrl("globex", id, RETURN);
        Map<String, String> query = Connections.query(authorize);
        assertEquals("S256", query.get("code_challenge_method"), "PKCE");
        assertEquals("http://localhost:18182/oauth/callback", query.get("redirect_uri"));
        assertEquals(43, query.get("state").length(), "256 random bits, base64url");

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            Map<String, String> callback = Connections.allow(authorize);
            String location = given().redirects().follow(false).queryParams(callback).get("/oauth/callback")
                    .then().statusCode(303).extract().header("Location");
            assertTrue(location.startsWith(RETURN + "?polymux_status=connected&installation=" + id), location);

            JsonNode authorized = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.GRANT_AUTHORIZED.equals(json.path("type").asText()));
            assertEquals("globex", authorized.path("data").path("tenantId").asText());
            EventSchemas.assertMatchesItsSchema(authorized);
        }
        TokenSet stored = vaultTokens("globex", id);
        assertFalse(stored.getAccessToken().isEmpty());
        assertFalse(stored.getRefreshToken().isEmpty(), "the grant's refresh token is kept");
        long lifetime = stored.getExpiresAt().getSeconds() - Instant.now().getEpochSecond();
        assertTrue(lifetime > 10 && lifetime <= AuthorizationServer.ACCESS_TOKEN_SECONDS, "20-second tokens: " + lifetime);
    }

    @Test
    void aReplayedStateIsRefusedAndStoresNothingNew() {
        String id = Connections.installed("globex", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        Map<String, String> callback = Connections.allow(Connections.authorizeUrl("globex", id, null));
        given().queryParams(callback).get("/oauth/callback").then().statusCode(200).body("status", equalTo("connected"));
        long version = vaultTokens("globex", id).getVersion();

        given().queryParams(callback).get("/oauth/callback").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("was used already"));
        assertEquals(version, vaultTokens("globex", id).getVersion(), "nothing stored by the replay");
    }

    @Test
    void anExpiredOrUnknownStateIsRefused() {
        String id = Connections.installed("globex", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        Map<String, String> callback = Connections.allow(Connections.authorizeUrl("globex", id, null));
        // Ten minutes pass.
        OnVertxContext.await(() -> Panache.withTransaction(() -> requests.update("expiresAt = ?1 where stateHash = ?2",
                Instant.now().minusSeconds(1), StateKeys.hash(callback.get("state")))));
        given().queryParams(callback).get("/oauth/callback").then().statusCode(400).body("detail", containsString("expired"));
        given().queryParam("state", "not-ours").queryParam("code", "x").get("/oauth/callback").then().statusCode(400)
                .body("detail", containsString("not one of ours"));
        given().get("/oauth/callback").then().statusCode(400).body("detail", containsString("no state"));
        assertNoTokens("globex", id);
    }

    @Test
    void anotherTenantsInstallationAndForeignReturnOriginsAreRefused() {
        String id = Connections.installed("globex", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        given().header("Authorization", Connections.installer("initrode")).contentType(ContentType.JSON).body("{}")
                .post("/tenants/initrode/installations/" + id + "/authorize").then().statusCode(404);
        given().header("Authorization", Connections.installer("initrode")).contentType(ContentType.JSON).body("{}")
                .post("/tenants/globex/installations/" + id + "/authorize").then().statusCode(404);
        for (String foreign : new String[] {"https://evil.example/steal", "https://app.polymux.test.evil.example/", "http://app.polymux.test/",
                "https://user@app.polymux.test/", "javascript:alert(1)"}) {
            given().header("Authorization", Connections.installer("globex")).contentType(ContentType.JSON)
                    .body("{\"returnUrl\":\"" + foreign + "\"}").post("/tenants/globex/installations/" + id + "/authorize")
                    .then().statusCode(400).body("errors[0].pointer", equalTo("/returnUrl"));
        }
        given().contentType(ContentType.JSON).body("{}").post("/tenants/globex/installations/" + id + "/authorize").then().statusCode(401);
        assertNoTokens("globex", id);
    }

    @Test
    void aDeclinedAuthorizationSaysSoInWordsAndStoresNothing() {
        String id = Connections.installed("globex", "acme-oauth", AuthorizationServer.manifest("acme-oauth"));
        String state = Connections.query(Connections.authorizeUrl("globex", id, RETURN)).get("state");
        String location = given().redirects().follow(false).queryParam("state", state).queryParam("error", "access_denied")
                .queryParam("error_description", "The user said <b>no</b>").get("/oauth/callback").then().statusCode(303)
                .extract().header("Location");
        Map<String, String> back = Connections.query(URI.create(location));
        assertEquals("failed", back.get("polymux_status"));
        assertEquals("Access to Acme was not granted. Connect again and allow access to continue.", back.get("message"));

        String plain = Connections.query(Connections.authorizeUrl("globex", id, null)).get("state");
        given().queryParam("state", plain).queryParam("error", "access_denied").get("/oauth/callback").then().statusCode(400)
                .body("detail", equalTo("Access to Acme was not granted. Connect again and allow access to continue."));
        assertNoTokens("globex", id);
    }

    @Test
    void aConnectorWithoutAnOAuthClientSaysWhoHasToActInsteadOfFailing() {
        String id = Connections.installed("globex", "acme-unconfigured", AuthorizationServer.manifest("acme-unconfigured"));
        given().header("Authorization", Connections.installer("globex")).contentType(ContentType.JSON).body("{}")
                .post("/tenants/globex/installations/" + id + "/authorize").then().statusCode(503)
                .body("detail", equalTo("Acme is not set up on this platform yet: an operator has to register an OAuth client with the "
                        + "provider and store it (PUT /admin/oauth-clients/acme-unconfigured, or polymux.connectors.oauth-clients."
                        + "\"acme-unconfigured\".client-id and client-secret), or the tenant brings its own "
                        + "(PUT /tenants/{tenant}/oauth-clients/acme-unconfigured)."));
    }

    private TokenSet vaultTokens(String tenant, String id) {
        TokenSet tokens = GrpcChannels.as(VaultServiceGrpc.newBlockingStub(vaultChannel), TestTokens.service("oauth-service"))
                .getTokenSet(GetTokenSetRequest.newBuilder().setTenantId(tenant).setInstallationId(id).build());
        assertNotNull(tokens);
        return tokens;
    }

    private void assertNoTokens(String tenant, String id) {
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> vaultTokens(tenant, id));
        assertEquals(Status.Code.NOT_FOUND, none.getStatus().getCode());
    }
}
