package dev.polymux.registry.connector;

import static dev.polymux.registry.connector.ConnectorCatalogTest.manifest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/**
 * Who may decide on a connector version: never anyone who touched it (created, edited or submitted it), only the
 * platform's reviewers (the platform tenant, {@code polymux} by default), and deprecation only for the platform's
 * admins.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ConnectorReviewRulesTest {

    private static final String EDITED_OR_SUBMITTED = "You cannot review a connector version you edited or submitted; another reviewer must.";

    /** Platform people: an author, a colleague who is author and reviewer, a reviewer, an admin. */
    private static final String PAT_AUTHOR = TestTokens.bearer("polymux", "pat", "author");
    private static final String BOB_AUTHOR_REVIEWER = TestTokens.bearer("polymux", "bob", "author", "reviewer");
    private static final String RITA_REVIEWER = TestTokens.bearer("polymux", "rita", "reviewer");
    private static final String OPS_ADMIN = TestTokens.bearer("polymux", "ops", "admin");

    private static final String ALICE_AUTHOR = TestTokens.bearer("acme", "alice", "author");

    @Test
    void whoEditedAColleaguesDraftCannotApproveOrRejectIt() {
        create(PAT_AUTHOR, "polymux", "edited-by-bob");
        given().header("Authorization", BOB_AUTHOR_REVIEWER).contentType(ContentType.JSON).body(manifest("edited-by-bob", "1.0.0", "Bob's label"))
                .put("/tenants/polymux/connectors/edited-by-bob/versions/1.0.0")
                .then().statusCode(200);
        submit(PAT_AUTHOR, "polymux", "edited-by-bob");

        given().header("Authorization", BOB_AUTHOR_REVIEWER).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/edited-by-bob/versions/1.0.0/approve")
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/forbidden"))
                .body("detail", equalTo(EDITED_OR_SUBMITTED));
        given().header("Authorization", BOB_AUTHOR_REVIEWER).contentType(ContentType.JSON).body("{\"note\":\"Not mine to judge.\"}")
                .post("/reviews/connectors/edited-by-bob/versions/1.0.0/reject")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo(EDITED_OR_SUBMITTED));

        // Still in review, and a reviewer who never touched it decides.
        given().header("Authorization", RITA_REVIEWER).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/edited-by-bob/versions/1.0.0/approve")
                .then().statusCode(200).body("state", equalTo("approved"));
    }

    @Test
    void whoSubmittedAColleaguesDraftCannotApproveIt() {
        create(PAT_AUTHOR, "polymux", "submitted-by-bob");
        submit(BOB_AUTHOR_REVIEWER, "polymux", "submitted-by-bob");

        given().header("Authorization", BOB_AUTHOR_REVIEWER).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/submitted-by-bob/versions/1.0.0/approve")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo(EDITED_OR_SUBMITTED));
        given().header("Authorization", PAT_AUTHOR).get("/tenants/polymux/connectors/submitted-by-bob/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("in_review"));
    }

    @Test
    void aReviewerOfAnOrdinaryTenantDoesNotReview() {
        String globexReviewer = TestTokens.bearer("globex", "gina", "author", "reviewer");
        create(ALICE_AUTHOR, "acme", "for-the-platform");
        submit(ALICE_AUTHOR, "acme", "for-the-platform");
        String notThePlatform = "Only the platform's reviewers review connectors; the reviewer role of tenant globex does not count here.";

        given().header("Authorization", globexReviewer).get("/reviews/connectors")
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/forbidden"))
                .body("detail", equalTo(notThePlatform));
        given().header("Authorization", globexReviewer).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/for-the-platform/versions/1.0.0/approve")
                .then().statusCode(403).contentType("application/problem+json").body("detail", equalTo(notThePlatform));
        given().header("Authorization", globexReviewer).contentType(ContentType.JSON).body("{\"note\":\"No.\"}")
                .post("/reviews/connectors/for-the-platform/versions/1.0.0/reject")
                .then().statusCode(403).contentType("application/problem+json").body("detail", equalTo(notThePlatform));
        // Not even for the reviewer's own tenant's connectors: that would be reviewing oneself.
        given().header("Authorization", TestTokens.bearer("acme", "ann", "reviewer")).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/for-the-platform/versions/1.0.0/approve")
                .then().statusCode(403).contentType("application/problem+json");

        given().header("Authorization", ALICE_AUTHOR).get("/tenants/acme/connectors/for-the-platform/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("in_review"));
        given().header("Authorization", RITA_REVIEWER).get("/reviews/connectors").then().statusCode(200);
    }

    @Test
    void onlyThePlatformsAdminsDeprecate() {
        create(ALICE_AUTHOR, "acme", "to-deprecate");
        submit(ALICE_AUTHOR, "acme", "to-deprecate");
        given().header("Authorization", RITA_REVIEWER).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/to-deprecate/versions/1.0.0/approve").then().statusCode(200);

        given().header("Authorization", RITA_REVIEWER).contentType(ContentType.JSON).body("{\"note\":\"Old.\"}")
                .post("/reviews/connectors/to-deprecate/versions/1.0.0/deprecate")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo("Your role does not allow this call."));
        given().header("Authorization", TestTokens.bearer("globex", "gus", "admin")).contentType(ContentType.JSON).body("{\"note\":\"Old.\"}")
                .post("/reviews/connectors/to-deprecate/versions/1.0.0/deprecate")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo("Only the platform's admins deprecate connectors; the admin role of tenant globex does not count here."));
        given().header("Authorization", ALICE_AUTHOR).get("/tenants/acme/connectors/to-deprecate/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("approved"));

        try (KafkaEvents registryEvents = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            given().header("Authorization", OPS_ADMIN).contentType(ContentType.JSON).body("{\"note\":\"Superseded by 2.0.0.\"}")
                    .post("/reviews/connectors/to-deprecate/versions/1.0.0/deprecate")
                    .then().statusCode(200).body("state", equalTo("deprecated"));
            JsonNode deprecated = registryEvents.awaitCloudEvent(json -> "to-deprecate".equals(json.path("subject").asText())
                    && "dev.polymux.connector.deprecated.v1".equals(json.path("type").asText()));
            assertEquals("deprecated", deprecated.path("data").path("state").asText());
            EventSchemas.assertMatchesItsSchema(deprecated);
        }
    }

    private static void create(String token, String tenant, String id) {
        given().header("Authorization", token).contentType(ContentType.JSON).body(manifest(id, "1.0.0", "Test " + id))
                .post("/tenants/" + tenant + "/connectors").then().statusCode(201);
    }

    private static void submit(String token, String tenant, String id) {
        given().header("Authorization", token).post("/tenants/" + tenant + "/connectors/" + id + "/versions/1.0.0/submit")
                .then().statusCode(200).body("state", equalTo("in_review"));
    }
}
