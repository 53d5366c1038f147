package dev.polymux.registry.listing;

import static dev.polymux.registry.listing.Listings.cleanPlugin;
import static dev.polymux.registry.listing.Listings.create;
import static dev.polymux.registry.listing.Listings.decide;
import static dev.polymux.registry.listing.Listings.install;
import static dev.polymux.registry.listing.Listings.submit;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** With {@code polymux.registry.plugins.auto-approve=never} every plugin waits for a platform reviewer. */
@QuarkusTest
@TestProfile(PluginAutoApproveOffTest.NeverAutoApprove.class)
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class PluginAutoApproveOffTest {

    public static class NeverAutoApprove implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("polymux.registry.plugins.auto-approve", "never");
        }
    }

    private static final String AUTHOR = TestTokens.bearer("strictco", "sam", "author");
    private static final String BUYER = TestTokens.bearer("strict-buyer", "ian", "installer");
    private static final String RITA_REVIEWER = TestTokens.bearer("polymux", "rita", "reviewer");

    @Test
    void aPluginWhoseChecksAllPassWaitsForAReviewer() {
        create(AUTHOR, "strictco", "plugin", cleanPlugin("strict-clean")).statusCode(201);
        submit(AUTHOR, "strictco", "plugin", "strict-clean").statusCode(200).body("state", equalTo("in_review"))
                .body("reviewFindings.size()", equalTo(0));
        install(BUYER, "strict-buyer", "strict-clean").statusCode(404);

        decide(RITA_REVIEWER, "plugin", "strict-clean", "approve", null).statusCode(200).body("state", equalTo("approved"))
                .body("decidedBy", equalTo("reviewer"));
        install(BUYER, "strict-buyer", "strict-clean").statusCode(201);
    }

    @Test
    void theOldOneStepPublishLeavesItInReviewToo() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(cleanPlugin("strict-legacy"))
                .post("/tenants/strictco/plugins").then().statusCode(201).body("state", equalTo("in_review"));
        install(BUYER, "strict-buyer", "strict-legacy").statusCode(404);
    }
}
