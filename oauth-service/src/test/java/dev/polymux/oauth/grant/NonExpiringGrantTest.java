package dev.polymux.oauth.grant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.common.reactive.SeparateContexts;
import dev.polymux.connector.builtin.InTreeManifests;
import dev.polymux.oauth.config.OAuthConfig;
import dev.polymux.oauth.grant.repository.GrantRepository;
import dev.polymux.oauth.grant.service.GrantService;
import dev.polymux.oauth.grant.service.RefreshScheduler;
import dev.polymux.oauth.support.AuthorizationServer;
import dev.polymux.oauth.support.Connections;
import dev.polymux.oauth.support.Tokens;
import dev.polymux.proto.oauth.v1.AccessToken;
import dev.polymux.proto.oauth.v1.InvalidateRequest;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.reactive.OnVertxContext;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.grpc.Status;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The in-tree github connector as GitHub OAuth apps answer: no expires_in and no refresh token. Such a grant never
 * expires, so hours and days later nothing refreshes it (nothing could: there is no refresh token) and nothing breaks
 * it; only the provider rejecting the token (a 401, reported as Invalidate) breaks it, with GitHub's sentence.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(VaultServiceChild.class)
class NonExpiringGrantTest {

    private static WireMockServer github;

    @Inject
    GrantRepository grants;

    @Inject
    GrantService service;

    @Inject
    OAuthConfig config;

    @Inject
    SeparateContexts contexts;

    @BeforeAll
    static void startGitHub() {
        github = new WireMockServer(options().dynamicPort());
        github.start();
        github.stubFor(post(urlPathEqualTo("/login/oauth/access_token")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"gho_16C7e42F292c6912E7710c838347Ae178B4a\",\"token_type\":\"bearer\",\"scope\":\"repo\"}")));
    }

    @AfterAll
    static void stopGitHub() {
        github.stop();
    }

    @Test
    void aGitHubGrantNeverExpiresAndBreaksOnlyWhenGitHubRejectsItsToken() throws Exception {
        // The in-tree manifest, its endpoints on this machine: the consent page of the test server, GitHub's token endpoint stubbed.
        ObjectNode manifest = (ObjectNode) InTreeManifests.load("github");
        ((ObjectNode) manifest.get("auth")).put("authorizationUrl", AuthorizationServer.server().authorizationEndpointUrl(AuthorizationServer.ISSUER)
                .toString()).put("tokenUrl", github.baseUrl() + "/login/oauth/access_token");
        // The test server's consent page wants an OpenID scope; GitHub's own scopes stay as they are.
        ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("auth").get("scopes")).add("openid");
        ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("auth").get("defaultScopes")).add("openid");
        // The platform's GitHub client, registered as an operator would.
        given().header("Authorization", TestTokens.bearer("polymux", "olga", "admin")).contentType(ContentType.JSON)
                .body("{\"clientId\":\"Iv1.polymux\",\"clientSecret\":\"github-app-secret\"}").put("/admin/oauth-clients/github")
                .then().statusCode(200);
        String id = Connections.installed("initech", "github", manifest.toString());
        Connections.connect("initech", id);

        try (Tokens tokens = new Tokens(RestAssured.port)) {
            AccessToken token = tokens.accessToken("initech", id, 3600);
            assertFalse(token.hasExpiresAt(), "a GitHub token has no expiry");
            assertFalse(tokens.stored("initech", id).hasExpiresAt(), "and none is stored for it");

            // Hours and a month later: this grant is never due (nothing claims it), nothing is asked of GitHub, it stays as it
            // is. (Other tests' grants in the same database may well be due by then; they are not this test's business.)
            for (Duration later : new Duration[] { Duration.ofMinutes(56), Duration.ofHours(6), Duration.ofDays(30) }) {
                RefreshScheduler.Refresher refresher = new RefreshScheduler.Refresher("later-" + later, grants, service, config, contexts,
                        Clock.offset(Clock.systemUTC(), later));
                OnVertxContext.await(refresher::round);
                OAuthGrant grant = OnVertxContext.await(() -> Panache.withSession(() -> grants.findById(id)));
                assertEquals(OAuthGrant.ACTIVE, grant.status, "after " + later);
                assertEquals(null, grant.expiresAt, "after " + later);
                assertEquals(null, grant.refreshAt, "after " + later);
                assertEquals(0, grant.leaseGeneration, "never claimed, after " + later);
            }
            assertEquals(token.getAccessToken(), tokens.accessToken("initech", id, 3600).getAccessToken());
            github.verify(1, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));

            // GitHub answers 401: the dispatcher reports the token, and the grant breaks with GitHub's sentence.
            try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
                tokens.oauthAs(TestTokens.service("dispatch-service")).invalidate(InvalidateRequest.newBuilder().setTenantId("initech")
                        .setInstallationId(id).setAccessToken(token.getAccessToken()).build());
                JsonNode broken = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                        && ConnectionEventTypes.GRANT_BROKEN.equals(json.path("type").asText()));
                assertEquals("Access to GitHub was revoked; reconnect the connection.", broken.path("data").path("reason").asText());
                EventSchemas.assertMatchesItsSchema(broken);
            }
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> tokens.accessToken("initech", id, 60));
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
            github.verify(1, postRequestedFor(urlPathEqualTo("/login/oauth/access_token")));
        }
    }
}
