package dev.polymux.registry.listing;

import static dev.polymux.registry.listing.Listings.cleanPlugin;
import static dev.polymux.registry.listing.Listings.connection;
import static dev.polymux.registry.listing.Listings.install;
import static dev.polymux.registry.listing.Listings.pluginWithoutSecretField;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The endpoints from before the listing API keep working as aliases of it (same drafts, same review, same states) and
 * say which path replaces them.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class LegacyEndpointsTest {

    private static final String AUTHOR = TestTokens.bearer("legacyco", "lee", "author");
    private static final String RITA_REVIEWER = TestTokens.bearer("polymux", "rita", "reviewer");
    private static final String BUYER = TestTokens.bearer("legacy-buyer", "ian", "installer");
    private static final String DEPRECATION = "@1796256000";

    @Test
    void theOldConnectorEndpointsAreAliasesOfTheListingFlowAndNameTheirSuccessors() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(connection("legacy-widgets", "Legacy widgets"))
                .post("/tenants/legacyco/connectors")
                .then().statusCode(201).header("Deprecation", DEPRECATION)
                .header("Link", "</tenants/legacyco/listings?type=connection>; rel=\"successor-version\"")
                .body("connectorId", equalTo("legacy-widgets")).body("state", equalTo("draft"));
        given().header("Authorization", AUTHOR).queryParam("type", "connection").get("/tenants/legacyco/listings")
                .then().statusCode(200).body("id", hasItem("legacy-widgets"));

        given().header("Authorization", AUTHOR).post("/tenants/legacyco/connectors/legacy-widgets/versions/1.0.0/submit")
                .then().statusCode(200).body("state", equalTo("in_review"))
                .header("Link", "</tenants/legacyco/listings/connection/legacy-widgets/versions/1.0.0/submit>; rel=\"successor-version\"");
        given().header("Authorization", RITA_REVIEWER).get("/reviews/connectors")
                .then().statusCode(200).body("connectorId", hasItem("legacy-widgets"))
                .header("Link", "</reviews/listings?type=connection>; rel=\"successor-version\"");
        given().header("Authorization", RITA_REVIEWER).get("/reviews/listings")
                .then().statusCode(200).body("id", hasItem("legacy-widgets")).header("Deprecation", nullValue());

        given().header("Authorization", RITA_REVIEWER).contentType(ContentType.JSON).body("{}")
                .post("/reviews/connectors/legacy-widgets/versions/1.0.0/approve")
                .then().statusCode(200).body("state", equalTo("approved")).header("Deprecation", DEPRECATION);
        given().header("Authorization", AUTHOR).get("/tenants/legacyco/listings/connection/legacy-widgets/versions/1.0.0")
                .then().statusCode(200).body("state", equalTo("approved")).body("decidedBy", equalTo("reviewer"));
    }

    @Test
    void theOldOneStepPublishStillPublishesAPluginWhoseChecksPassAndItInstallsAtOnce() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(cleanPlugin("legacy-clean"))
                .post("/tenants/legacyco/plugins")
                .then().statusCode(201).header("Location", endsWith("/marketplace/plugins/legacy-clean?version=1.0.0"))
                .header("Deprecation", DEPRECATION).header("Link", "</tenants/legacyco/listings>; rel=\"successor-version\"")
                .body("state", equalTo("approved")).body("manifest.connections[1].connectorVersion", equalTo("1.0.0"));
        install(BUYER, "legacy-buyer", "legacy-clean").statusCode(201);
        given().header("Authorization", AUTHOR).queryParam("type", "plugin").get("/tenants/legacyco/listings")
                .then().statusCode(200).body("find { it.id == 'legacy-clean' }.state", equalTo("approved"));
    }

    @Test
    void theOldOneStepPublishLeavesAPluginWithFindingsInReview() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(pluginWithoutSecretField("legacy-region"))
                .post("/tenants/legacyco/plugins")
                .then().statusCode(201)
                .header("Location", endsWith("/tenants/legacyco/listings/plugin/legacy-region/versions/1.0.0"))
                .body("state", equalTo("in_review"));
        install(BUYER, "legacy-buyer", "legacy-region").statusCode(404);
    }

    @Test
    void theOldOneStepPublishAnswers400ForBlockingFindingsAndStoresNothing() {
        String greedy = cleanPlugin("legacy-greedy").replace(Listings.DRIVE_FILE, "https://www.googleapis.com/auth/drive");
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(greedy).post("/tenants/legacyco/plugins")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/connections/1/scopes/0"));
        given().header("Authorization", AUTHOR).get("/tenants/legacyco/listings/plugin/legacy-greedy/versions/1.0.0").then().statusCode(404);
    }
}
