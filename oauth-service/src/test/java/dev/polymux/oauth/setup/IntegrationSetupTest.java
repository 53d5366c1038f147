package dev.polymux.oauth.setup;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.oauth.support.Connections;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * An integration's setup steps through oauth-service's REST API, with the real vault-service beside it and a stub
 * provider: a step's fields are checked before they are stored, the installation is announced complete only when
 * every required step passed, what a step created is removed when it runs again and when the plugin is uninstalled,
 * and no tenant reaches another's setup.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = TestTokens.class, initArgs = @ResourceArg(name = TestTokens.SERVICE_NAME, value = "oauth-service"))
@WithTestResource(VaultServiceChild.class)
@WithTestResource(SetupCheckTimeout.class)
class IntegrationSetupTest {

    private static final String KEY = "sk_setup_" + UUID.randomUUID().toString().replace("-", "");
    private static WireMockServer provider;

    @BeforeAll
    static void start() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        WebhookIntegration.providerUrl = provider.baseUrl();
        provider.stubFor(get(urlEqualTo("/v1/me")).withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(aResponse().withStatus(200).withBody("{}")).atPriority(1));
        provider.stubFor(get(urlEqualTo("/v1/me")).willReturn(aResponse().withStatus(401)).atPriority(2));
        provider.stubFor(post(urlEqualTo("/v1/webhooks")).withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(aResponse().withStatus(201).withBody("{\"id\":\"{{randomValue length=12 type='ALPHANUMERIC'}}\"}")
                        .withTransformers("response-template")));
        provider.stubFor(WireMock.delete(urlPathMatching("/v1/webhooks/.*")).willReturn(aResponse().withStatus(204)));
    }

    @AfterAll
    static void stop() {
        provider.stop();
    }

    @Test
    void aStepsFieldsAreStoredOnlyOnceItsCheckPassedAndTheLastRequiredStepCompletesSetup() {
        String tenant = tenant();
        String id = installed(tenant);
        JsonPath steps = given().header("Authorization", Connections.installer(tenant)).get(setup(tenant, id)).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("verify-key", "register-webhook"), steps.getList("steps.id"));
        assertEquals(List.of("pending", "pending"), steps.getList("steps.state"));
        assertEquals(Boolean.TRUE, steps.getBoolean("steps[0].fields.properties.api_key.writeOnly"));
        assertFalse(steps.getBoolean("complete"));

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            JsonPath refused = submit(tenant, id, "verify-key", "{\"api_key\":\"sk_setup_wrong_value_123\"}");
            assertFalse(refused.getBoolean("passed"));
            assertEquals("The provider refused the key [redacted] (HTTP 401).", refused.getString("message"),
                    "a careless handler's sentence never carries the value");
            assertTrue(storedFields(tenant, id).isEmpty(), "a value whose check failed is not stored");

            JsonPath verified = submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
            assertTrue(verified.getBoolean("passed"), verified.prettify());
            assertFalse(verified.getBoolean("setupComplete"), "register-webhook is still to do");
            assertEquals(List.of("api_key"), storedFields(tenant, id));

            JsonPath registered = submit(tenant, id, "register-webhook", "{}");
            assertTrue(registered.getBoolean("passed"), registered.prettify());
            assertTrue(registered.getBoolean("setupComplete"));
            provider.verify(1, postRequestedFor(urlEqualTo("/v1/webhooks")).withHeader("Authorization", equalTo("Bearer " + KEY)));

            JsonNode completed = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.SETUP_COMPLETED.equals(json.path("type").asText()));
            assertEquals(1, events.allMatching(r -> r.value().contains(id) && r.value().contains(ConnectionEventTypes.SETUP_COMPLETED),
                    Duration.ofMillis(500)).size(), "announced once, after the last required step, not after the first");
            EventSchemas.assertMatchesItsSchema(completed);
            assertFalse(completed.toString().contains(KEY));
        }
        given().header("Authorization", Connections.installer(tenant)).get(setup(tenant, id)).then()
                .body("complete", org.hamcrest.Matchers.is(true)).body("steps[1].state", org.hamcrest.Matchers.is("passed"))
                .body("steps[1].checkedBy", org.hamcrest.Matchers.is("installer-" + tenant));
    }

    @Test
    void runningAStepAgainRemovesWhatItCreatedBeforeAndUninstallingRemovesTheRest() {
        String tenant = tenant();
        String id = installed(tenant);
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        submit(tenant, id, "register-webhook", "{}");
        int deletesBefore = provider.findAll(deleteRequestedFor(urlPathMatching("/v1/webhooks/.*"))).size();

        submit(tenant, id, "register-webhook", "{}");
        assertEquals(deletesBefore + 1, provider.findAll(deleteRequestedFor(urlPathMatching("/v1/webhooks/.*"))).size(),
                "the first webhook went before the second was made");

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            Connections.removed(tenant, id, "integration");
            JsonNode removed = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.SETUP_REMOVED.equals(json.path("type").asText()));
            EventSchemas.assertMatchesItsSchema(removed);
        }
        assertEquals(deletesBefore + 2, provider.findAll(deleteRequestedFor(urlPathMatching("/v1/webhooks/.*"))
                .withHeader("Authorization", equalTo("Bearer " + KEY))).size(), "uninstalling removed the webhook, with the stored key");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().port(VaultServiceChild.port)
                .header("Authorization", Connections.installer(tenant)).get("/tenants/" + tenant + "/credentials/" + id)
                .then().statusCode(409));
    }

    @Test
    void noOneReachesAnotherTenantsSetupAndOnlyInstallersSubmit() {
        String tenant = tenant();
        String id = installed(tenant);
        String stranger = TestTokens.bearer("globex", "gina", "installer");

        given().header("Authorization", stranger).get(setup("globex", id)).then().statusCode(404);
        given().header("Authorization", stranger).get(setup(tenant, id)).then().statusCode(404); // as for none
        given().header("Authorization", TestTokens.bearer(tenant, "uma", "author")).contentType(ContentType.JSON).body("{\"fields\":{}}")
                .put(setup(tenant, id) + "/verify-key").then().statusCode(403);
        given().header("Authorization", Connections.installer(tenant)).contentType(ContentType.JSON)
                .body("{\"fields\":{\"api_key\":\"" + KEY + "\",\"smuggled\":\"x\"}}").put(setup(tenant, id) + "/verify-key")
                .then().statusCode(400).contentType(containsString("application/problem+json"))
                .body("errors.pointer", org.hamcrest.Matchers.hasItem("/fields/smuggled"))
                .body(org.hamcrest.Matchers.not(containsString(KEY)));
        given().header("Authorization", Connections.installer(tenant)).contentType(ContentType.JSON).body("{\"fields\":{}}")
                .put(setup(tenant, id) + "/no-such-step").then().statusCode(404).body("detail", containsString("verify-key"));
    }

    @Test
    void aCheckThatNeverAnswersIsAClearErrorAndStoresNothing() {
        String tenant = tenant();
        String id = installed(tenant);
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            Response stalled = bounded(() -> put(tenant, id, "register-webhook", "{\"account\":\"" + WebhookIntegration.STALL_CHECK + "\"}"));
            assertEquals(503, stalled.statusCode(), stalled.asString());
            assertTrue(stalled.contentType().contains("application/problem+json"), stalled.contentType());
            assertTrue(stalled.jsonPath().getString("detail").contains("register-webhook"), stalled.asString());
            assertTrue(events.allMatching(r -> r.value().contains(id) && r.value().contains(ConnectionEventTypes.SETUP_COMPLETED),
                    Duration.ofMillis(500)).isEmpty(), "a step that never answered does not complete setup");
        }
        assertEquals(List.of("api_key"), storedFields(tenant, id), "the stalled step's account is not stored");
        given().header("Authorization", Connections.installer(tenant)).get(setup(tenant, id)).then()
                .body("complete", org.hamcrest.Matchers.is(false)).body("steps[1].state", org.hamcrest.Matchers.is("pending"));
    }

    @Test
    void whatACheckCreatesAfterItsTimeoutIsTakenBackWhenItAnswers() {
        // The provider made the webhook, but answered after the timeout: the installer was told nothing was recorded,
        // so nothing may be left at the provider either.
        String tenant = tenant();
        String id = installed(tenant);
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        Set<String> before = webhooksCreated();

        Response late = bounded(() -> put(tenant, id, "register-webhook", "{\"account\":\"" + WebhookIntegration.LATE_CHECK + "\"}"));

        assertEquals(503, late.statusCode(), late.asString());
        Set<String> made = difference(webhooksCreated(), before);
        assertEquals(1, made.size(), "the slow provider made its webhook");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertTrue(webhooksDeleted().containsAll(made),
                "the webhook of the late answer is removed once it arrives"));
    }

    @Test
    void anUndoThatNeverAnswersIsAClearErrorAndLeavesNoSecondWebhook() {
        String tenant = tenant();
        String id = installed(tenant);
        Set<String> before = webhooksCreated();
        submit(tenant, id, "register-webhook", "{\"api_key\":\"" + KEY + "\",\"account\":\"" + WebhookIntegration.STALL_UNDO + "\"}");
        Set<String> first = difference(webhooksCreated(), before);
        assertEquals(1, first.size());

        Response stalled = bounded(() -> put(tenant, id, "register-webhook", "{\"account\":\"\"}"));
        assertEquals(503, stalled.statusCode(), stalled.asString());
        assertTrue(stalled.contentType().contains("application/problem+json"), stalled.contentType());
        assertTrue(stalled.jsonPath().getString("detail").contains("register-webhook"), stalled.asString());
        Set<String> second = difference(webhooksCreated(), before);
        second.removeAll(first);
        assertEquals(1, second.size(), "the re-run's check made a second webhook");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(webhooksDeleted().containsAll(second),
                "the second webhook went again, as the first could not be removed"));
        given().header("Authorization", Connections.installer(tenant)).get(setup(tenant, id)).then()
                .body("complete", org.hamcrest.Matchers.is(false));
    }

    @Test
    void aReRunWhoseCheckFailsKeepsWhatTheStepCreatedBefore() {
        String tenant = tenant();
        String id = installed(tenant);
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        Set<String> before = webhooksCreated();
        submit(tenant, id, "register-webhook", "{}");
        Set<String> first = difference(webhooksCreated(), before);
        assertEquals(1, first.size());

        JsonPath refused = submit(tenant, id, "register-webhook", "{\"api_key\":\"sk_setup_wrong_value_456\"}");
        assertFalse(refused.getBoolean("passed"), refused.prettify());
        assertTrue(webhooksDeleted().stream().noneMatch(first::contains), "the working webhook stays while its replacement failed");

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            Connections.removed(tenant, id, "integration");
            events.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.SETUP_REMOVED.equals(json.path("type").asText()));
        }
        assertTrue(webhooksDeleted().containsAll(first), "uninstalling still removes it: the failed re-run did not forget it");
    }

    @Test
    void aStepTakesOnlyItsOwnFieldsOfTheShape() {
        String tenant = tenant();
        String id = installed(tenant);
        given().header("Authorization", Connections.installer(tenant)).contentType(ContentType.JSON)
                .body("{\"fields\":{\"api_key\":\"" + KEY + "\",\"account\":\"acme\"}}").put(setup(tenant, id) + "/verify-key")
                .then().statusCode(400).contentType(containsString("application/problem+json"))
                .body("errors.pointer", org.hamcrest.Matchers.contains("/fields/account"))
                .body(org.hamcrest.Matchers.not(containsString(KEY)));
        assertTrue(storedFields(tenant, id).isEmpty(), "nothing of a refused submission is stored");
    }

    @Test
    void valuesTheVaultRefusesUndoWhatTheCheckJustCreated() {
        String tenant = tenant();
        // vault-service's copy of the shape allows a shorter account than the manifest's form tells.
        String id = installed(tenant, "{\"kind\":\"tuple\",\"fields\":[{\"name\":\"api_key\",\"label\":\"API key\",\"secret\":true},"
                + "{\"name\":\"account\",\"label\":\"Account\",\"secret\":false,\"required\":false,\"maxLength\":8}]}");
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        Set<String> before = webhooksCreated();
        Response refused = put(tenant, id, "register-webhook", "{\"account\":\"much-too-long-an-account\"}");
        assertEquals(400, refused.statusCode(), refused.asString());
        Set<String> made = difference(webhooksCreated(), before);
        assertEquals(1, made.size(), "the check made a webhook before the values were refused");
        assertTrue(webhooksDeleted().containsAll(made), "what the check made went again: nothing is left unrecorded at the provider");
        given().header("Authorization", Connections.installer(tenant)).get(setup(tenant, id)).then()
                .body("complete", org.hamcrest.Matchers.is(false)).body("steps[1].state", org.hamcrest.Matchers.is("pending"));
    }

    @Test
    void aSecondSubmissionWhileAStepIsCheckedIsRefused() throws Exception {
        String tenant = tenant();
        String id = installed(tenant);
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        CompletableFuture<Response> stalled = CompletableFuture.supplyAsync(
                () -> put(tenant, id, "register-webhook", "{\"account\":\"" + WebhookIntegration.STALL_CHECK + "\"}"));
        Thread.sleep(1000);
        assertFalse(stalled.isDone(), "the first submission is still being checked");
        Response second = put(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}");
        assertEquals(409, second.statusCode(), second.asString());
        assertTrue(second.contentType().contains("application/problem+json"), second.contentType());
        assertEquals(503, stalled.get(SetupCheckTimeout.SECONDS * 4L, TimeUnit.SECONDS).statusCode());
        submit(tenant, id, "verify-key", "{\"api_key\":\"" + KEY + "\"}"); // and once it answered, the next one runs
    }

    /** A request that must answer well within twice the check timeout (a hang fails the test instead of the build). */
    private static Response bounded(java.util.function.Supplier<Response> request) {
        return assertTimeoutPreemptively(Duration.ofSeconds(SetupCheckTimeout.SECONDS * 4L), request::get);
    }

    private static Response put(String tenant, String id, String step, String fields) {
        return given().header("Authorization", Connections.installer(tenant)).contentType(ContentType.JSON).body("{\"fields\":" + fields + "}")
                .put(setup(tenant, id) + "/" + step);
    }

    /** The ids of every webhook the stub provider created. */
    private static Set<String> webhooksCreated() {
        return provider.getAllServeEvents().stream().filter(event -> "POST".equals(event.getRequest().getMethod().getName())
                && "/v1/webhooks".equals(event.getRequest().getUrl()) && event.getResponse().getStatus() == 201)
                .map(event -> JsonPath.from(event.getResponse().getBodyAsString()).getString("id")).collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<String> webhooksDeleted() {
        return provider.findAll(deleteRequestedFor(urlPathMatching("/v1/webhooks/.*"))).stream()
                .map(request -> request.getUrl().substring("/v1/webhooks/".length())).collect(Collectors.toSet());
    }

    private static Set<String> difference(Set<String> after, Set<String> before) {
        Set<String> added = new HashSet<>(after);
        added.removeAll(before);
        return added;
    }

    private static JsonPath submit(String tenant, String id, String step, String fields) {
        return given().header("Authorization", Connections.installer(tenant)).contentType(ContentType.JSON).body("{\"fields\":" + fields + "}")
                .put(setup(tenant, id) + "/" + step).then().statusCode(200).extract().jsonPath();
    }

    private static List<String> storedFields(String tenant, String id) {
        String body = given().port(VaultServiceChild.port).header("Authorization", Connections.installer(tenant))
                .get("/tenants/" + tenant + "/credentials/" + id).asString();
        return body.contains("No values are stored") ? List.of() : JsonPath.from(body).getList("fields.name");
    }

    private static String setup(String tenant, String id) {
        return "/tenants/" + tenant + "/installations/" + id + "/setup";
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The registry's announcement of an installation of the webhook integration, and both services knowing it. */
    private static String installed(String tenant) {
        return installed(tenant, "{\"kind\":\"tuple\",\"fields\":[{\"name\":\"api_key\",\"label\":\"API key\",\"secret\":true},"
                + "{\"name\":\"account\",\"label\":\"Account\",\"secret\":false,\"required\":false}]}");
    }

    /** As above, with vault-service told {@code shape}. */
    private static String installed(String tenant, String shape) {
        String manifest = """
                {"id":"webhook-test","version":"1.0.0","label":"Webhook test","kind":"integration","handler":"webhook-test",
                 "auth":{"shape":{"kind":"tuple","fields":[{"name":"api_key","label":"API key","secret":true},
                                  {"name":"account","label":"Account","secret":false,"required":false}]},
                         "setupSteps":[{"id":"verify-key","title":"Verify the API key","description":"Calls the provider with the key."},
                                       {"id":"register-webhook","title":"Register the webhook"}]},
                 "tools":[{"name":"noop","description":"Nothing.","input":{"type":"object"}}],"allowedHosts":["localhost"]}""";
        String id = Connections.installedIntegration(tenant, "webhook-test", manifest, shape);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> given()
                .header("Authorization", Connections.installer(tenant)).get(setup(tenant, id)).statusCode() == 200);
        return id;
    }
}
