package dev.polymux.dispatch.toolcall;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.polymux.common.event.EventTopics;
import dev.polymux.dispatch.support.AuthorizationServer;
import dev.polymux.dispatch.support.OAuthChild;
import dev.polymux.dispatch.support.Platform;
import dev.polymux.dispatch.support.ProviderStub;
import dev.polymux.dispatch.support.TokenLifetimes;
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
 * Providers whose access tokens are short-lived: 5-second and 60-second tokens from a real OAuth2 server that rotates
 * refresh tokens, refreshed by the real oauth-service, used by the dispatcher under test for tool calls that arrive
 * over Kafka throughout several token lifetimes. Every call succeeds at its first attempt, the provider only ever
 * sees tokens that are valid when the request reaches it (checked against the server's keys and the token's expiry,
 * and refused with 401 otherwise, as a provider would), and no refresh token is presented twice.
 * Same resources as {@link DispatchPipelineTest}, so the two share one dispatcher and one set of child services.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "dispatch-service"))
@WithTestResource(AuthorizationServer.class)
@WithTestResource(ProviderStub.class)
@WithTestResource(RegistryServiceChild.class)
@WithTestResource(VaultServiceChild.class)
@WithTestResource(OAuthChild.class)
class TokenLifetimesTest {

    private static final Logger LOG = Logger.getLogger(TokenLifetimesTest.class);
    private static final UUID REFUSED = UUID.fromString("5f0c1d7e-41c9-4a36-9f5e-4b8e0d1e2a77");

    @BeforeEach
    void platform() {
        TokenLifetimes.published();
        // A provider refuses what it did not issue or what has expired.
        if (ProviderStub.server().getStubMappings().stream().noneMatch(stub -> REFUSED.equals(stub.getId()))) {
            ProviderStub.server().stubFor(get(urlPathMatching("/lifetimes/.*")).withId(REFUSED).atPriority(10)
                    .willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_token\"}")));
        }
    }

    @Test
    void fiveSecondTokensServeEveryCallOverFourLifetimesWithRotatedRefreshTokens() {
        overSeveralLifetimes(TokenLifetimes.FIVE_SECONDS, Duration.ofSeconds(20), Duration.ofMillis(250));
    }

    @Test
    void sixtySecondTokensServeEveryCallOverTwoAndAHalfLifetimesWithRotatedRefreshTokens() {
        overSeveralLifetimes(TokenLifetimes.MINUTE, Duration.ofSeconds(150), Duration.ofSeconds(3));
    }

    @Test
    void aRetryThatWaitsPastTheTokensExpiryIsSentWithAFreshToken() {
        String tenant = tenant();
        String issuer = TokenLifetimes.issuer(TokenLifetimes.FIVE_SECONDS);
        String id = Platform.install(tenant, TokenLifetimes.PLUGIN).get(TokenLifetimes.FIVE_SECONDS);
        try {
            Platform.connectWithConsent(tenant, id);
            String path = path();
            String scenario = "retry-after-expiry-" + tenant;
            // Retry-After: 6 s, longer than a 5-second token lives: the retry needs another token than the first attempt.
            ProviderStub.server().stubFor(get(urlEqualTo("/lifetimes/" + path)).atPriority(1).andMatching(validToken(issuer))
                    .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited")
                    .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "6").withBody("{\"message\":\"slow down\"}")));
            ProviderStub.server().stubFor(get(urlEqualTo("/lifetimes/" + path)).atPriority(1).andMatching(validToken(issuer))
                    .inScenario(scenario).whenScenarioStateIs("limited")
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"user\":\"installer\"}")));

            String callId = "retry-" + UUID.randomUUID();
            JsonNode result;
            try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
                calls.publish(ToolCalls.event(callId, tenant, TokenLifetimes.PLUGIN, TokenLifetimes.FIVE_SECONDS, "whoami",
                        "{\"path\":\"" + path + "\"}", Instant.now().plusSeconds(30)));
                calls.flush();
                result = resultOf(results, callId);
            }
            assertEquals("succeeded", result.path("data").path("status").asText(), result.toString());
            assertEquals(2, result.path("data").path("attempts").asInt(), "the 429, then the retry: " + result);
            List<LoggedRequest> attempts = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/lifetimes/" + path)));
            assertEquals(2, attempts.size(), "two provider requests");
            assertNone(invalidTokens(attempts, issuer), "of the 2 provider requests carried a token not valid when it arrived");
            assertNotEquals(bearer(attempts.get(0)), bearer(attempts.get(1)), "the retry carried another token than the first attempt");
        } finally {
            uninstall(tenant);
        }
    }

    /**
     * Calls of one connection, published one every {@code every} for {@code span}, each with a 30-second deadline: every
     * one succeeds at its first attempt with a token valid when the provider gets it, and the refreshes that made the
     * tokens never presented a refresh token twice.
     */
    private static void overSeveralLifetimes(String connectionKey, Duration span, Duration every) {
        String tenant = tenant();
        String issuer = TokenLifetimes.issuer(connectionKey);
        String id = Platform.install(tenant, TokenLifetimes.PLUGIN).get(connectionKey);
        try {
            Platform.connectWithConsent(tenant, id);
            String path = path();
            ProviderStub.server().stubFor(get(urlEqualTo("/lifetimes/" + path)).atPriority(1).andMatching(validToken(issuer))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"user\":\"installer\"}")));

            List<String> callIds = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            try (KafkaEvents results = KafkaEvents.watch(EventTopics.TOOL_RESULTS); ToolCalls calls = new ToolCalls()) {
                Instant end = Instant.now().plus(span);
                while (Instant.now().isBefore(end)) {
                    String callId = "lifetimes-" + UUID.randomUUID();
                    calls.publish(ToolCalls.event(callId, tenant, TokenLifetimes.PLUGIN, connectionKey, "whoami",
                            "{\"path\":\"" + path + "\"}", Instant.now().plusSeconds(30)));
                    calls.flush();
                    callIds.add(callId);
                    results.allMatching(record -> false, every); // reads results while waiting for the next call
                }
                for (String callId : callIds) {
                    JsonNode data = resultOf(results, callId).path("data");
                    if (!"succeeded".equals(data.path("status").asText()) || data.path("attempts").asInt() != 1) {
                        problems.add(callId + ": " + data.path("status").asText() + " after " + data.path("attempts").asInt() + " attempt(s) "
                                + data.path("error"));
                    }
                }
            }
            assertNone(problems, "of " + callIds.size() + " calls did not succeed at their first attempt");

            List<LoggedRequest> requests = ProviderStub.server().findAll(getRequestedFor(urlEqualTo("/lifetimes/" + path)));
            assertEquals(callIds.size(), requests.size(), "one provider request per call");
            assertNone(invalidTokens(requests, issuer), "of " + requests.size() + " provider requests carried a token not valid when it arrived");
            Set<String> tokens = new LinkedHashSet<>();
            requests.forEach(request -> tokens.add(bearer(request)));
            assertTrue(tokens.size() > 1, "the calls outlived their first token: " + tokens.size() + " tokens");

            List<String> presented = AuthorizationServer.refreshTokensPresented(issuer);
            Map<String, Integer> uses = new HashMap<>();
            presented.forEach(refreshToken -> uses.merge(refreshToken, 1, Integer::sum));
            long reused = uses.values().stream().filter(count -> count > 1).count();
            assertEquals(0, reused, "of " + presented.size() + " refresh requests at " + issuer + ", refresh tokens presented more than once");
            assertTrue(presented.size() >= tokens.size() - 1, "each new access token came from a refresh: " + presented.size()
                    + " refresh requests for " + tokens.size() + " tokens");
            LOG.infof("%s: %d calls over %d s, %d access tokens used, %d refresh requests at %s so far, none presenting a refresh token twice",
                    connectionKey, callIds.size(), span.toSeconds(), tokens.size(), presented.size(), issuer);
        } finally {
            uninstall(tenant);
        }
    }

    /** Uninstalled, its grant stops being refreshed; a failure here must not hide the test's own. */
    private static void uninstall(String tenant) {
        try {
            Platform.uninstall(tenant, TokenLifetimes.PLUGIN);
        } catch (RuntimeException | AssertionError e) {
            LOG.warnf("Could not uninstall the plugin of tenant %s: %s", tenant, e.getMessage());
        }
    }

    private static void assertNone(List<String> problems, String what) {
        assertTrue(problems.isEmpty(), problems.size() + " " + what + "; the first: " + problems.subList(0, Math.min(problems.size(), 3)));
    }

    /** A request matcher: the bearer token is one {@code issuer} issued and has not expired (evaluated as it arrives). */
    private static ValueMatcher<Request> validToken(String issuer) {
        return request -> {
            String authorization = request.getHeader("Authorization");
            return MatchResult.of(authorization != null && authorization.startsWith("Bearer ")
                    && AuthorizationServer.validAt(authorization.substring("Bearer ".length()), issuer, Instant.now()));
        };
    }

    /** The requests whose token was not valid when they were received, described without the token. */
    private static List<String> invalidTokens(List<LoggedRequest> requests, String issuer) {
        List<String> invalid = new ArrayList<>();
        for (LoggedRequest request : requests) {
            Instant at = request.getLoggedDate().toInstant();
            String authorization = request.getHeader("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")
                    || !AuthorizationServer.validAt(authorization.substring("Bearer ".length()), issuer, at)) {
                invalid.add("the request received at " + at + " carried a token not valid then (expiry " + expiry(authorization) + ")");
            }
        }
        return invalid;
    }

    private static String expiry(String authorization) {
        try {
            return com.nimbusds.jwt.SignedJWT.parse(authorization.substring("Bearer ".length())).getJWTClaimsSet().getExpirationTime()
                    .toInstant().toString();
        } catch (Exception notAJwt) {
            return "unknown";
        }
    }

    private static JsonNode resultOf(KafkaEvents results, String callId) {
        return KafkaEvents.parse(results.await(record -> callId.equals(KafkaEvents.parse(record.value()).path("data").path("callId").asText()),
                Duration.ofSeconds(60)).value());
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A provider path of the test's own, {@code ^[a-z]+$} as the tool's input schema wants. */
    private static String path() {
        StringBuilder path = new StringBuilder("lt");
        UUID.randomUUID().toString().replace("-", "").chars().forEach(hex -> path.append((char) ('a' + Character.digit(hex, 16))));
        return path.toString();
    }

    private static String bearer(LoggedRequest request) {
        return request.getHeader("Authorization").substring("Bearer ".length());
    }
}
