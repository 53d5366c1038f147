package dev.polymux.registry.connector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The life of a connector over REST, with real tokens, PostgreSQL and Kafka; and every refusal on the way. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ConnectorCatalogTest {

    private static final String ALICE_AUTHOR = TestTokens.bearer("acme", "alice", "author");
    private static final String BOB_REVIEWER = TestTokens.bearer("polymux", "bob", "reviewer");

    @Test
    void aConnectorGoesFromDraftThroughReviewToTheMarketplace() {
        try (KafkaEvents registryEvents = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            given().header("Authorization", ALICE_AUTHOR).contentType(ContentType.JSON).body(manifest("acme-crm", "1.0.0", "Acme CRM"))
                    .post("/tenants/acme/connectors")
                    .then().statusCode(201)
                    .header("Location", startsWith("http"))
                    .body("state", equalTo("draft"));

            given().header("Authorization", ALICE_AUTHOR).contentType(ContentType.JSON).body(manifest("acme-crm", "1.0.0", "Acme CRM Pro"))
                    .put("/tenants/acme/connectors/acme-crm/versions/1.0.0")
                    .then().statusCode(200).body("label", equalTo("Acme CRM Pro"));

            given().header("Authorization", ALICE_AUTHOR).post("/tenants/acme/connectors/acme-crm/versions/1.0.0/submit")
                    .then().statusCode(200).body("state", equalTo("in_review")).body("reviewFindings", empty());

            given().header("Authorization", BOB_REVIEWER).get("/reviews/connectors")
                    .then().statusCode(200).body("connectorId", hasItem("acme-crm"));

            given().header("Authorization", BOB_REVIEWER).contentType(ContentType.JSON).body("{\"note\":\"Looks right.\"}")
                    .post("/reviews/connectors/acme-crm/versions/1.0.0/approve")
                    .then().statusCode(200).body("state", equalTo("approved"));

            given().header("Authorization", TestTokens.bearer("globex", "carol", "installer")).queryParam("q", "acme crm")
                    .get("/marketplace/connectors")
                    .then().statusCode(200).body("items.connectorId", contains("acme-crm")).body("total", equalTo(1));

            given().header("Authorization", TestTokens.bearer("globex", "carol", "installer")).get("/marketplace/connectors/acme-crm")
                    .then().statusCode(200).body("version", equalTo("1.0.0")).body("manifest.auth.tokenUrl", equalTo("https://login.acme.example/oauth/token"));

            JsonNode approved = registryEvents.awaitCloudEvent(json -> "acme-crm".equals(json.path("subject").asText()));
            assertEquals("dev.polymux.connector.approved.v1", approved.path("type").asText());
            assertEquals("1.0.0", approved.path("data").path("version").asText());
            EventSchemas.assertMatchesItsSchema(approved);
        }
    }

    @Test
    void anInvalidManifestIsRefusedWithJsonPointers() {
        given().header("Authorization", ALICE_AUTHOR).contentType(ContentType.JSON)
                .body(manifest("broken-one", "1.0.0", "Broken").replace("\"version\":\"1.0.0\",", ""))
                .post("/tenants/acme/connectors")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/validation-failed"))
                .body("errors[0].pointer", equalTo("/"))
                .body("errors[0].message", equalTo("required property 'version' not found"));
    }

    @Test
    void nobodyApprovesTheirOwnConnector() {
        // Reviewers are the platform's, so the author who reviews too is a platform author.
        String aliceBothRoles = TestTokens.bearer("polymux", "alice", "author", "reviewer");
        given().header("Authorization", aliceBothRoles).contentType(ContentType.JSON).body(manifest("self-made", "1.0.0", "Test self-made"))
                .post("/tenants/polymux/connectors").then().statusCode(201);
        given().header("Authorization", aliceBothRoles).post("/tenants/polymux/connectors/self-made/versions/1.0.0/submit").then().statusCode(200);

        given().header("Authorization", aliceBothRoles).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/self-made/versions/1.0.0/approve")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo("You cannot review a connector you authored; another reviewer must."));
    }

    @Test
    void aSubmittedVersionIsImmutable() {
        create(ALICE_AUTHOR, "frozen", "1.0.0");
        given().header("Authorization", ALICE_AUTHOR).post("/tenants/acme/connectors/frozen/versions/1.0.0/submit").then().statusCode(200);

        given().header("Authorization", ALICE_AUTHOR).contentType(ContentType.JSON).body(manifest("frozen", "1.0.0", "Changed"))
                .put("/tenants/acme/connectors/frozen/versions/1.0.0")
                .then().statusCode(422).body("type", equalTo("https://docs.polymux.dev/problems/state-conflict"));
    }

    @Test
    void blockingReviewFindingsKeepItADraft() {
        String plainHttp = manifest("plain-http", "1.0.0", "Plain").replace("https://login.acme.example/oauth/token", "http://login.acme.example/oauth/token");
        given().header("Authorization", ALICE_AUTHOR).contentType(ContentType.JSON).body(plainHttp).post("/tenants/acme/connectors").then().statusCode(201);

        given().header("Authorization", ALICE_AUTHOR).post("/tenants/acme/connectors/plain-http/versions/1.0.0/submit")
                .then().statusCode(422)
                .body("errors.pointer", contains("/auth/tokenUrl"))
                .body("errors[0].message", equalTo("https-only: uses plain http://; providers must be reached over https"));

        given().header("Authorization", ALICE_AUTHOR).get("/tenants/acme/connectors/plain-http/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("draft")).body("reviewFindings[0].check", equalTo("https-only"));
    }

    @Test
    void aHandlerThatIsNotDeployedIsABlockingFinding() {
        String integration = """
                {"id":"custom-bus","version":"1.0.0","label":"Custom bus","kind":"integration","handler":"custom-bus",
                 "auth":{"shape":{"kind":"tuple","fields":[{"name":"url","label":"URL","secret":false},
                   {"name":"api_key","label":"API key","secret":false}]}},
                 "tools":[{"name":"send","description":"Sends.","input":{"type":"object"}}],"allowedHosts":["bus.example.com"]}""";
        given().header("Authorization", ALICE_AUTHOR).contentType(ContentType.JSON).body(integration).post("/tenants/acme/connectors").then().statusCode(201);

        given().header("Authorization", ALICE_AUTHOR).post("/tenants/acme/connectors/custom-bus/versions/1.0.0/submit")
                .then().statusCode(422)
                .body("errors.pointer", containsInAnyOrder("/handler", "/auth/shape/fields/1/secret"));
    }

    @Test
    void anotherTenantsConnectorsDoNotExistForYou() {
        create(ALICE_AUTHOR, "private-one", "1.0.0");
        String mallory = TestTokens.bearer("globex", "mallory", "author");

        given().header("Authorization", mallory).get("/tenants/acme/connectors/private-one/versions/1.0.0")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", mallory).get("/tenants/globex/connectors/private-one/versions/1.0.0")
                .then().statusCode(404);
        given().header("Authorization", mallory).contentType(ContentType.JSON).body(manifest("private-one", "2.0.0", "Taken"))
                .post("/tenants/globex/connectors")
                .then().statusCode(409).body("detail", equalTo("The connector id 'private-one' belongs to another publisher; choose another id."));
    }

    @Test
    void aRejectionNeedsANoteAndReachesTheAuthor() {
        create(ALICE_AUTHOR, "needs-work", "1.0.0");
        given().header("Authorization", ALICE_AUTHOR).post("/tenants/acme/connectors/needs-work/versions/1.0.0/submit").then().statusCode(200);

        given().header("Authorization", BOB_REVIEWER).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/needs-work/versions/1.0.0/reject").then().statusCode(400);
        given().header("Authorization", BOB_REVIEWER).contentType(ContentType.JSON).body("{\"note\":\"Declare the contacts.write scope you use.\"}")
                .post("/reviews/connectors/needs-work/versions/1.0.0/reject").then().statusCode(200).body("state", equalTo("rejected"));

        given().header("Authorization", ALICE_AUTHOR).get("/tenants/acme/connectors/needs-work/versions/1.0.0")
                .then().body("reviewNote", equalTo("Declare the contacts.write scope you use."));
    }

    @Test
    void theInTreeConnectorsAreInTheMarketplaceFromTheStart() {
        String anyone = TestTokens.bearer("globex", "carol", "installer");
        given().header("Authorization", anyone).queryParam("kind", "oauth").queryParam("size", "100").get("/marketplace/connectors")
                .then().statusCode(200).body("items.connectorId", hasItem("github")).body("items.connectorId", hasItem("google-drive"))
                .body("items.connectorId", not(hasItem("stripe")));
        given().header("Authorization", anyone).get("/marketplace/connectors/mqtt")
                .then().statusCode(200).body("kind", equalTo("integration")).body("ownerTenant", equalTo("polymux"));
    }

    @Test
    void callsWithoutAValidTokenOrRoleAreRefusedAsProblems() {
        given().get("/marketplace/connectors").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", TestTokens.bearerFromAStranger("acme", "alice", "author")).get("/tenants/acme/connectors")
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", TestTokens.bearer("acme", "ivan", "installer")).get("/tenants/acme/connectors")
                .then().statusCode(403).contentType("application/problem+json");
    }

    /** The trusted key and issuer, but issued to another application of the identity provider, or to none; or another issuer. */
    @Test
    void aTokenForAnotherAudienceOrFromAnotherIssuerIsRefused() {
        given().header("Authorization", TestTokens.bearer("acme", "alice", "author")).get("/tenants/acme/connectors").then().statusCode(200);
        for (String token : List.of(TestTokens.bearerForAudience("wiki", "acme", "alice", "author"),
                TestTokens.bearerForAudience(null, "acme", "alice", "author"),
                TestTokens.bearerFromIssuer("https://other.issuer.test", "acme", "alice", "author"))) {
            given().header("Authorization", token).get("/tenants/acme/connectors").then().statusCode(401).contentType("application/problem+json");
        }
    }

    private static void create(String token, String id, String version) {
        given().header("Authorization", token).contentType(ContentType.JSON).body(manifest(id, version, "Test " + id))
                .post("/tenants/acme/connectors").then().statusCode(201);
    }

    static String manifest(String id, String version, String label) {
        return """
                {"id":"%s","version":"%s","label":"%s","description":"Contacts in Acme CRM.","kind":"oauth",
                 "auth":{"authorizationUrl":"https://login.acme.example/oauth/authorize","tokenUrl":"https://login.acme.example/oauth/token",
                   "scopes":["contacts.read","contacts.write"],"defaultScopes":["contacts.read"]},
                 "tools":[{"name":"get_contact","description":"Gets one contact.",
                   "input":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}},
                   "http":{"method":"GET","url":"https://api.acme.example/v2/contacts/{id}","credential":{"placement":"bearer"}}}],
                 "allowedHosts":["api.acme.example"]}""".formatted(id, version, label);
    }
}
