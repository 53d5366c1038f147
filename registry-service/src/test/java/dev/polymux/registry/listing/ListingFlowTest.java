package dev.polymux.registry.listing;

import static dev.polymux.registry.listing.Listings.cleanPlugin;
import static dev.polymux.registry.listing.Listings.connection;
import static dev.polymux.registry.listing.Listings.create;
import static dev.polymux.registry.listing.Listings.decide;
import static dev.polymux.registry.listing.Listings.install;
import static dev.polymux.registry.listing.Listings.listing;
import static dev.polymux.registry.listing.Listings.pluginUsing;
import static dev.polymux.registry.listing.Listings.pluginWithoutSecretField;
import static dev.polymux.registry.listing.Listings.submit;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * One publishing flow for both listing types, under the default policy (plugins whose checks all pass and whose
 * connectors are approved are approved at once; connections always wait for a person).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ListingFlowTest {

    private static final String PUBCO_AUTHOR = TestTokens.bearer("pubco", "pia", "author");
    private static final String PUBCO_EDITOR = TestTokens.bearer("pubco", "ed", "author");
    private static final String BUYER = TestTokens.bearer("buyer", "ian", "installer");
    private static final String PUBCO_INSTALLER = TestTokens.bearer("pubco", "ivy", "installer");
    private static final String RITA_REVIEWER = TestTokens.bearer("polymux", "rita", "reviewer");
    private static final String OPS_ADMIN = TestTokens.bearer("polymux", "ops", "admin");
    private static final String BOB_AUTHOR_REVIEWER = TestTokens.bearer("polymux", "bob", "author", "reviewer");

    @Test
    void aConnectionGoesFromDraftThroughAPersonsReviewIntoTheConnectionsTabAndOutWhenDeprecated() {
        create(PUBCO_AUTHOR, "pubco", "connection", connection("widgets-flow", "Widgets"))
                .statusCode(201).header("Location", containsString("/tenants/pubco/listings/connection/widgets-flow/versions/1.0.0"))
                .body("type", equalTo("connection")).body("kind", equalTo("vault")).body("state", equalTo("draft"));
        given().header("Authorization", PUBCO_EDITOR).contentType(ContentType.JSON)
                .body("{\"manifest\":" + connection("widgets-flow", "Widgets, edited") + "}")
                .put("/tenants/pubco/listings/connection/widgets-flow/versions/1.0.0")
                .then().statusCode(200).body("label", equalTo("Widgets, edited")).body("state", equalTo("draft"));

        // Every check passes, yet a connection is never approved by policy.
        submit(PUBCO_AUTHOR, "pubco", "connection", "widgets-flow").statusCode(200).body("state", equalTo("in_review"));
        given().header("Authorization", BUYER).get("/marketplace/connectors/widgets-flow").then().statusCode(404);
        given().header("Authorization", RITA_REVIEWER).queryParam("type", "connection").get("/reviews/listings")
                .then().statusCode(200).body("id", hasItem("widgets-flow")).body("type", not(hasItem("plugin")));

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            decide(RITA_REVIEWER, "connection", "widgets-flow", "approve", "Looks right.")
                    .statusCode(200).body("state", equalTo("approved")).body("decidedBy", equalTo("reviewer"));
            EventSchemas.assertMatchesItsSchema(events.awaitCloudEvent(json -> "widgets-flow".equals(json.path("subject").asText())
                    && "dev.polymux.connector.approved.v1".equals(json.path("type").asText())));
        }
        given().header("Authorization", BUYER).queryParam("q", "widgets-flow").get("/marketplace/connectors")
                .then().statusCode(200).body("items.connectorId", hasItem("widgets-flow"));

        // A plugin using it is approved by policy and installable at once.
        create(PUBCO_AUTHOR, "pubco", "plugin", pluginUsing("widgets-flow-plugin", "widgets-flow")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "widgets-flow-plugin").statusCode(200).body("state", equalTo("approved"))
                .body("manifest.connections[0].connectorVersion", equalTo("1.0.0"));
        install(BUYER, "buyer", "widgets-flow-plugin").statusCode(201);

        decide(OPS_ADMIN, "connection", "widgets-flow", "deprecate", "Replaced by widgets 2.").statusCode(200).body("state", equalTo("deprecated"));
        given().header("Authorization", BUYER).queryParam("q", "widgets-flow").get("/marketplace/connectors")
                .then().statusCode(200).body("items.connectorId", not(hasItem("widgets-flow")));
    }

    @Test
    void aPluginWithFindingsWaitsForAReviewerAndIsInThePluginsTabOnlyOnceApproved() {
        create(PUBCO_AUTHOR, "pubco", "plugin", pluginWithoutSecretField("region-flow")).statusCode(201).body("state", equalTo("draft"));
        submit(PUBCO_AUTHOR, "pubco", "plugin", "region-flow").statusCode(200).body("state", equalTo("in_review"))
                .body("reviewFindings[0].check", equalTo("secrets-marked")).body("reviewFindings[0].blocking", equalTo(false));

        given().header("Authorization", BUYER).get("/marketplace/plugins/region-flow").then().statusCode(404);
        given().header("Authorization", BUYER).queryParam("q", "region-flow").get("/marketplace/plugins")
                .then().statusCode(200).body("items.pluginId", not(hasItem("region-flow")));
        // Not installable: its own tenant learns why, every other tenant sees nothing.
        install(PUBCO_INSTALLER, "pubco", "region-flow").statusCode(404);
        given().header("Authorization", PUBCO_INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"region-flow\",\"pluginVersion\":\"1.0.0\"}")
                .post("/tenants/pubco/installations").then().statusCode(422).contentType("application/problem+json")
                .body("detail", equalTo("Plugin region-flow 1.0.0 is in review; only approved plugin versions can be installed."));
        given().header("Authorization", BUYER).contentType(ContentType.JSON).body("{\"pluginId\":\"region-flow\",\"pluginVersion\":\"1.0.0\"}")
                .post("/tenants/buyer/installations").then().statusCode(404);

        try (KafkaEvents events = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            decide(RITA_REVIEWER, "plugin", "region-flow", "approve", "Account ids are not secret.").statusCode(200)
                    .body("state", equalTo("approved"));
            EventSchemas.assertMatchesItsSchema(events.awaitCloudEvent(json -> "region-flow".equals(json.path("subject").asText())
                    && "dev.polymux.plugin.published.v1".equals(json.path("type").asText())));
        }
        given().header("Authorization", BUYER).queryParam("q", "region-flow").get("/marketplace/plugins")
                .then().statusCode(200).body("items.pluginId", hasItem("region-flow"));
        install(BUYER, "buyer", "region-flow").statusCode(201);

        // Deprecated: out of the tab, closed to new installations, its manifest still readable by version.
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            decide(OPS_ADMIN, "plugin", "region-flow", "deprecate", "Superseded.").statusCode(200).body("state", equalTo("deprecated"));
            EventSchemas.assertMatchesItsSchema(events.awaitCloudEvent(json -> "region-flow".equals(json.path("subject").asText())
                    && "dev.polymux.plugin.deprecated.v1".equals(json.path("type").asText())));
        }
        given().header("Authorization", BUYER).queryParam("q", "region-flow").get("/marketplace/plugins")
                .then().statusCode(200).body("items.pluginId", not(hasItem("region-flow")));
        given().header("Authorization", BUYER).queryParam("version", "1.0.0").get("/marketplace/plugins/region-flow")
                .then().statusCode(200).body("state", equalTo("deprecated"));
        given().header("Authorization", PUBCO_INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"region-flow\",\"pluginVersion\":\"1.0.0\"}")
                .post("/tenants/pubco/installations").then().statusCode(422)
                .body("detail", equalTo("Plugin region-flow 1.0.0 is deprecated; only approved plugin versions can be installed."));
    }

    @Test
    void aRejectedPluginIsNeverVisible() {
        create(PUBCO_AUTHOR, "pubco", "plugin", pluginWithoutSecretField("rejected-flow")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "rejected-flow").statusCode(200).body("state", equalTo("in_review"));
        decide(RITA_REVIEWER, "plugin", "rejected-flow", "reject", null).statusCode(400);
        decide(RITA_REVIEWER, "plugin", "rejected-flow", "reject", "Mark the account secret.").statusCode(200).body("state", equalTo("rejected"));

        given().header("Authorization", BUYER).get("/marketplace/plugins/rejected-flow").then().statusCode(404);
        given().header("Authorization", BUYER).queryParam("version", "1.0.0").get("/marketplace/plugins/rejected-flow").then().statusCode(404);
        install(BUYER, "buyer", "rejected-flow").statusCode(404);
        given().header("Authorization", PUBCO_AUTHOR).get("/tenants/pubco/listings/plugin/rejected-flow/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("rejected")).body("reviewNote", equalTo("Mark the account secret."));
    }

    @Test
    void aPluginWhoseChecksAllPassIsApprovedByPolicyAndInstallableAtOnce() {
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            create(PUBCO_AUTHOR, "pubco", "plugin", cleanPlugin("clean-flow")).statusCode(201);
            submit(PUBCO_AUTHOR, "pubco", "plugin", "clean-flow").statusCode(200)
                    .body("state", equalTo("approved")).body("decidedBy", equalTo("policy:when-checks-pass"))
                    .body("manifest.connections[1].connectorVersion", equalTo("1.0.0"));
            EventSchemas.assertMatchesItsSchema(events.awaitCloudEvent(json -> "clean-flow".equals(json.path("subject").asText())));
        }
        given().header("Authorization", BUYER).queryParam("q", "clean-flow").get("/marketplace/plugins")
                .then().statusCode(200).body("items.pluginId", hasItem("clean-flow"));
        install(BUYER, "buyer", "clean-flow").statusCode(201);
    }

    @Test
    void aPluginUsingAConnectionStillInReviewWaitsAndIsApprovedOnlyAfterTheConnection() {
        create(PUBCO_AUTHOR, "pubco", "connection", connection("pending-widgets", "Pending widgets")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "connection", "pending-widgets").statusCode(200).body("state", equalTo("in_review"));

        create(PUBCO_AUTHOR, "pubco", "plugin", pluginUsing("waits-for-widgets", "pending-widgets")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "waits-for-widgets").statusCode(200).body("state", equalTo("in_review"))
                .body("reviewFindings[0].check", equalTo("connector-approved")).body("reviewFindings[0].blocking", equalTo(false))
                .body("manifest.connections[0].connectorVersion", equalTo("1.0.0"));
        install(BUYER, "buyer", "waits-for-widgets").statusCode(404);

        decide(RITA_REVIEWER, "plugin", "waits-for-widgets", "approve", null).statusCode(422)
                .body("detail", equalTo("Plugin waits-for-widgets 1.0.0 cannot be approved while connector pending-widgets 1.0.0"
                        + " is in review; every connector it uses must be approved first."));
        decide(RITA_REVIEWER, "connection", "pending-widgets", "approve", null).statusCode(200);
        decide(RITA_REVIEWER, "plugin", "waits-for-widgets", "approve", null).statusCode(200).body("state", equalTo("approved"));
        install(BUYER, "buyer", "waits-for-widgets").statusCode(201);
    }

    @Test
    void anotherTenantsConnectionInReviewIsNotThereForYourPlugin() {
        create(PUBCO_AUTHOR, "pubco", "connection", connection("pubco-private-widgets", "Private widgets")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "connection", "pubco-private-widgets").statusCode(200);

        String rival = TestTokens.bearer("rivalco", "rex", "author");
        create(rival, "rivalco", "plugin", pluginUsing("rides-on-pubco", "pubco-private-widgets")).statusCode(201);
        submit(rival, "rivalco", "plugin", "rides-on-pubco").statusCode(422)
                .body("errors[0].pointer", equalTo("/connections/0/connector"))
                .body("errors[0].message", equalTo("connector-approved: 'pubco-private-widgets' is not an approved connector"));
        given().header("Authorization", rival).get("/tenants/rivalco/listings/plugin/rides-on-pubco/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("draft")).body("reviewFindings[0].blocking", equalTo(true));
    }

    @Test
    void blockingFindingsAnswer422AndKeepTheDraft() {
        String greedy = cleanPlugin("greedy-flow").replace(Listings.DRIVE_FILE, "https://www.googleapis.com/auth/drive");
        create(PUBCO_AUTHOR, "pubco", "plugin", greedy).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "greedy-flow").statusCode(422).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/connections/1/scopes/0"))
                .body("errors[0].message", equalTo("scopes-declared: 'https://www.googleapis.com/auth/drive' is not a scope connector 'google-drive' declares"));
        given().header("Authorization", PUBCO_AUTHOR).queryParam("type", "plugin").get("/tenants/pubco/listings")
                .then().statusCode(200).body("find { it.id == 'greedy-flow' }.state", equalTo("draft"))
                .body("find { it.id == 'greedy-flow' }.reviewFindings[0].check", equalTo("scopes-declared"));

        // Fixed in the draft, it goes through.
        given().header("Authorization", PUBCO_AUTHOR).contentType(ContentType.JSON).body(listing("plugin", cleanPlugin("greedy-flow")))
                .put("/tenants/pubco/listings/plugin/greedy-flow/versions/1.0.0").then().statusCode(200);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "greedy-flow").statusCode(200).body("state", equalTo("approved"));
    }

    @Test
    void anInlineEntrysRequestBlockMustReachItsProviderOverHttps() {
        String inline = """
                {"id":"%s","version":"1.0.0","label":"Inline API","connections":[
                  {"kind":"vault","key":"api","label":"API key","shape":{"kind":"single"},
                   "request":{"baseUrl":"%s://api.widgets.example/v1","allowedHosts":["api.widgets.example"],"credential":[{"placement":"bearer"}]}}]}""";
        create(PUBCO_AUTHOR, "pubco", "plugin", inline.formatted("plain-inline", "http")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "plain-inline").statusCode(422)
                .body("errors.pointer", equalTo(List.of("/connections/0/request/baseUrl")))
                .body("errors[0].message", equalTo("https-only: uses plain http://; providers must be reached over https"));

        // Over https it passes the checks, and still waits for a person: the block decides where the key goes.
        create(PUBCO_AUTHOR, "pubco", "plugin", inline.formatted("tls-inline", "https")).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "tls-inline").statusCode(200).body("state", equalTo("in_review"));
    }

    @Test
    void aPluginWhoseInlineEntryHasARequestBlockWaitsForAReviewerWhoSeesItsHosts() {
        String request = """
                {"id":"routes-key","version":"1.0.0","label":"Routes a key","connections":[
                  {"kind":"vault","key":"api","label":"API key","shape":{"kind":"single","field":"value","secret":true},
                   "request":{"baseUrl":"https://api.widgets.example/v1","allowedHosts":["api.widgets.example","files.widgets.example"],
                     "credential":[{"placement":"header","name":"X-Api-Key"}]}}]}""";
        create(PUBCO_AUTHOR, "pubco", "plugin", request).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "routes-key").statusCode(200).body("state", equalTo("in_review"))
                .body("decidedBy", nullValue())
                .body("reviewFindings.check", equalTo(List.of("builtin-request"))).body("reviewFindings[0].blocking", equalTo(false))
                .body("reviewFindings[0].pointer", equalTo("/connections/0/request"))
                .body("reviewFindings[0].message", equalTo("polymux.http_request sends this entry's stored values to api.widgets.example,"
                        + " files.widgets.example (header X-Api-Key; baseUrl https://api.widgets.example/v1); a reviewer must confirm"
                        + " these hosts are the provider's"));
        install(BUYER, "buyer", "routes-key").statusCode(404);
        given().header("Authorization", RITA_REVIEWER).queryParam("type", "plugin").get("/reviews/listings")
                .then().statusCode(200).body("id", hasItem("routes-key"));

        decide(RITA_REVIEWER, "plugin", "routes-key", "approve", "Both hosts are the provider's.").statusCode(200)
                .body("state", equalTo("approved")).body("decidedBy", equalTo("reviewer"));
        install(BUYER, "buyer", "routes-key").statusCode(201);
    }

    @Test
    void aPluginWhoseInlineEntryHasACommandBlockWaitsForAReviewerWhoSeesItsProgram() {
        String command = """
                {"id":"runs-curl","version":"1.0.0","label":"Runs curl","connections":[
                  {"kind":"vault","key":"stripe","label":"Stripe key","shape":{"kind":"single","field":"value","secret":true},
                   "command":{"executable":"curl","args":["-sS","-H","@-","https://api.stripe.com/v1/{resource}"],
                     "env":{"STRIPE_API_KEY":"{value}"},"stdin":"Authorization: Bearer {value}"}}]}""";
        create(PUBCO_AUTHOR, "pubco", "plugin", command).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "runs-curl").statusCode(200).body("state", equalTo("in_review"))
                .body("reviewFindings.check", equalTo(List.of("builtin-command"))).body("reviewFindings[0].blocking", equalTo(false))
                .body("reviewFindings[0].pointer", equalTo("/connections/0/command"))
                .body("reviewFindings[0].message", equalTo("polymux.command runs 'curl' with the arguments"
                        + " [-sS, -H, @-, https://api.stripe.com/v1/{resource}], the environment STRIPE_API_KEY={value}"
                        + " and the standard input 'Authorization: Bearer {value}';"
                        + " a reviewer must confirm this program and where it sends them"));
        install(BUYER, "buyer", "runs-curl").statusCode(404);

        // The one-step publish goes the same way.
        given().header("Authorization", PUBCO_AUTHOR).contentType(ContentType.JSON).body(command.replace("runs-curl", "runs-curl-legacy"))
                .post("/tenants/pubco/plugins").then().statusCode(201).body("state", equalTo("in_review"));
        install(BUYER, "buyer", "runs-curl-legacy").statusCode(404);
    }

    @Test
    void aPluginWhoseInlineEntriesOnlyStoreValuesIsStillApprovedByPolicy() {
        String inline = """
                {"id":"stores-only","version":"1.0.0","label":"Stores only","connections":[
                  {"kind":"vault","key":"api","label":"API key","shape":{"kind":"single","field":"value","secret":true}},
                  {"kind":"vault","key":"login","label":"Login","shape":{"kind":"pair"}}]}""";
        create(PUBCO_AUTHOR, "pubco", "plugin", inline).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "plugin", "stores-only").statusCode(200).body("state", equalTo("approved"))
                .body("decidedBy", equalTo("policy:when-checks-pass")).body("reviewFindings.size()", equalTo(0));
        install(BUYER, "buyer", "stores-only").statusCode(201);
    }

    @Test
    void aConnectionsRequestBlockMustReachItsProviderOverHttps() {
        String plain = connection("plain-request-widgets", "Plain request").replace("\"secret\":true}}",
                "\"secret\":true},\"request\":{\"baseUrl\":\"http://api.widgets.example/v1\",\"credential\":[{\"placement\":\"bearer\"}]}}");
        create(PUBCO_AUTHOR, "pubco", "connection", plain).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "connection", "plain-request-widgets").statusCode(422)
                .body("errors.pointer", equalTo(List.of("/auth/request/baseUrl")));
    }

    @Test
    void aConnectionWhoseShapeHasNoSecretFieldIsBlocked() {
        String noSecret = connection("no-secret-widgets", "No secret").replace("\"field\":\"value\",\"secret\":true", "\"field\":\"value\",\"secret\":false");
        create(PUBCO_AUTHOR, "pubco", "connection", noSecret).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "connection", "no-secret-widgets").statusCode(422)
                .body("errors[0].pointer", equalTo("/auth/shape/secret"));
    }

    @Test
    void aConnectionsTupleWithoutASecretFieldIsBlockedAndHostsNoToolReachesAreShownToTheReviewer() {
        String tuple = connection("tuple-widgets", "Tuple").replace("{\"kind\":\"single\",\"field\":\"value\",\"secret\":true}",
                "{\"kind\":\"tuple\",\"fields\":[{\"name\":\"account\",\"label\":\"Account\",\"secret\":false},"
                        + "{\"name\":\"region\",\"label\":\"Region\",\"secret\":false}]}");
        create(PUBCO_AUTHOR, "pubco", "connection", tuple).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "connection", "tuple-widgets").statusCode(422)
                .body("errors.pointer", equalTo(List.of("/auth/shape/fields")))
                .body("errors[0].message", equalTo("secrets-marked: no field of the shape is marked secret; a credential needs at least one secret field"));

        String extraHost = connection("wide-widgets", "Wide").replace("\"allowedHosts\":[\"api.widgets.example\"]",
                "\"allowedHosts\":[\"api.widgets.example\",\"cdn.widgets.example\"]");
        create(PUBCO_AUTHOR, "pubco", "connection", extraHost).statusCode(201);
        submit(PUBCO_AUTHOR, "pubco", "connection", "wide-widgets").statusCode(200).body("state", equalTo("in_review"))
                .body("reviewFindings.check", equalTo(List.of("hosts-used"))).body("reviewFindings[0].pointer", equalTo("/allowedHosts/1"))
                .body("reviewFindings[0].blocking", equalTo(false));
    }

    @Test
    void twoReviewersApprovingTheSameVersionAtOnceApproveItOnceAndAnnounceItOnce() throws Exception {
        String ray = TestTokens.bearer("polymux", "ray", "reviewer");
        List<String> ids = List.of("race-1", "race-2", "race-3", "race-4");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            for (String id : ids) {
                create(PUBCO_AUTHOR, "pubco", "plugin", pluginWithoutSecretField(id)).statusCode(201);
                submit(PUBCO_AUTHOR, "pubco", "plugin", id).statusCode(200).body("state", equalTo("in_review"));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> decisions = new ArrayList<>();
                for (String reviewer : List.of(RITA_REVIEWER, ray)) {
                    decisions.add(pool.submit(() -> {
                        start.await();
                        return decide(reviewer, "plugin", id, "approve", null).extract().statusCode();
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> decision : decisions) {
                    statuses.add(decision.get(30, TimeUnit.SECONDS));
                }
                statuses.sort(null);
                assertEquals(List.of(200, 422), statuses, id + ": one approval wins, the other finds it approved");
            }
            List<String> announced = events.allMatching(record -> "dev.polymux.plugin.published.v1".equals(KafkaEvents.parse(record.value()).path("type").asText())
                    && ids.contains(record.key()), Duration.ofSeconds(3)).stream().map(record -> record.key()).sorted().toList();
            assertEquals(ids, announced, "one published event per plugin version");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nobodyApprovesAListingTheyAuthoredEditedOrSubmitted() {
        create(BOB_AUTHOR_REVIEWER, "polymux", "plugin", pluginWithoutSecretField("bobs-own")).statusCode(201);
        submit(BOB_AUTHOR_REVIEWER, "polymux", "plugin", "bobs-own").statusCode(200).body("state", equalTo("in_review"));
        decide(BOB_AUTHOR_REVIEWER, "plugin", "bobs-own", "approve", null).statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo("You cannot review a plugin you authored; another reviewer must."));

        // A colleague's draft that bob submitted is not his to approve either.
        create(TestTokens.bearer("polymux", "pat", "author"), "polymux", "plugin", pluginWithoutSecretField("pats-plugin")).statusCode(201);
        submit(BOB_AUTHOR_REVIEWER, "polymux", "plugin", "pats-plugin").statusCode(200);
        decide(BOB_AUTHOR_REVIEWER, "plugin", "pats-plugin", "approve", null).statusCode(403)
                .body("detail", equalTo("You cannot review a plugin version you edited or submitted; another reviewer must."));

        // A reviewer of another tenant does not count, and neither does an admin for approval.
        decide(TestTokens.bearer("pubco", "rob", "reviewer"), "plugin", "bobs-own", "approve", null).statusCode(403)
                .body("detail", containsString("the reviewer role of tenant pubco does not count here"));
        decide(OPS_ADMIN, "plugin", "bobs-own", "approve", null).statusCode(403);
        decide(RITA_REVIEWER, "plugin", "bobs-own", "approve", null).statusCode(200).body("state", equalTo("approved"));
    }

    @Test
    void anInstallerOnlyTokenCannotCreateListings() {
        create(PUBCO_INSTALLER, "pubco", "plugin", cleanPlugin("installer-made")).statusCode(403).contentType("application/problem+json");
        given().header("Authorization", PUBCO_INSTALLER).get("/tenants/pubco/listings").then().statusCode(403);
        given().header("Authorization", PUBCO_AUTHOR).get("/tenants/pubco/listings/plugin/installer-made/versions/1.0.0").then().statusCode(404);
    }

    @Test
    void anAuthorOfOneTenantCannotSeeEditOrSubmitAnotherTenantsDrafts() {
        create(PUBCO_AUTHOR, "pubco", "plugin", pluginWithoutSecretField("pubco-secret-plan")).statusCode(201);
        create(PUBCO_AUTHOR, "pubco", "connection", connection("pubco-secret-conn", "Secret plan")).statusCode(201);
        String mallory = TestTokens.bearer("mallory-inc", "mallory", "author");

        // Through the victim's path: nothing exists there for her.
        given().header("Authorization", mallory).get("/tenants/pubco/listings").then().statusCode(404);
        given().header("Authorization", mallory).get("/tenants/pubco/listings/plugin/pubco-secret-plan/versions/1.0.0").then().statusCode(404);
        given().header("Authorization", mallory).contentType(ContentType.JSON).body(listing("plugin", cleanPlugin("pubco-secret-plan")))
                .put("/tenants/pubco/listings/plugin/pubco-secret-plan/versions/1.0.0").then().statusCode(404);
        submit(mallory, "pubco", "plugin", "pubco-secret-plan").statusCode(404);
        create(mallory, "pubco", "plugin", cleanPlugin("planted")).statusCode(404);

        // Through her own tenant's path: not hers.
        given().header("Authorization", mallory).get("/tenants/mallory-inc/listings/plugin/pubco-secret-plan/versions/1.0.0").then().statusCode(404);
        given().header("Authorization", mallory).contentType(ContentType.JSON).body(listing("plugin", cleanPlugin("pubco-secret-plan")))
                .put("/tenants/mallory-inc/listings/plugin/pubco-secret-plan/versions/1.0.0").then().statusCode(404);
        submit(mallory, "mallory-inc", "plugin", "pubco-secret-plan").statusCode(404);
        submit(mallory, "mallory-inc", "connection", "pubco-secret-conn").statusCode(404);
        given().header("Authorization", mallory).get("/tenants/mallory-inc/listings").then().statusCode(200)
                .body("id", not(hasItem("pubco-secret-plan"))).body("id", not(hasItem("pubco-secret-conn")));
        // Nor can she take the id over with a version of her own.
        create(mallory, "mallory-inc", "plugin", pluginWithoutSecretField("pubco-secret-plan").replace("\"1.0.0\"", "\"1.0.1\"")).statusCode(409);

        given().header("Authorization", PUBCO_AUTHOR).get("/tenants/pubco/listings/plugin/pubco-secret-plan/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("draft")).body("label", equalTo("Region only"))
                .body("decidedBy", nullValue());
    }

    @Test
    void anUnknownTypeIsRefusedWithItsPointer() {
        create(PUBCO_AUTHOR, "pubco", "theme", cleanPlugin("a-theme")).statusCode(400).contentType("application/problem+json")
                .body("errors[0].message", equalTo("must be 'connection' or 'plugin'"));
    }
}
