package dev.polymux.registry.installation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.ExtendedCloudEvents;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * dispatch's dev.polymux.credentials.rejected.v1 (a provider refused the stored key again and again) breaks the
 * installation with dispatch's sentence, and the installer's new credentials make it active again.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class CredentialsRejectedStatusTest {

    private static final String TENANT = "rejected-registry";
    private static final String AUTHOR = TestTokens.bearer(TENANT, "ada", "author");
    private static final String INSTALLER = TestTokens.bearer(TENANT, "ian", "installer");

    @Test
    void rejectedCredentialsBreakTheInstallationAndNewOnesMakeItActive() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"rejected-events","version":"1.0.0","label":"Rejected","connections":[
                  {"kind":"vault","key":"stripe_key","label":"Stripe key","shape":{"kind":"single"}}]}""")
                .post("/tenants/" + TENANT + "/plugins").then().statusCode(201);
        List<String> ids = given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"rejected-events\"}")
                .post("/tenants/" + TENANT + "/installations").then().statusCode(201).extract().jsonPath().getList("installationId", String.class);
        String id = ids.get(0);

        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/vault-service", ConnectionEventTypes.CREDENTIALS_STORED, id,
                "{\"tenantId\":\"" + TENANT + "\",\"fields\":[\"value\"]}");
        awaitStatus(id, "active", null);

        String sentence = "Stripe rejected the stored key (HTTP 401); paste a new one.";
        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/dispatch-service", ConnectionEventTypes.CREDENTIALS_REJECTED, id,
                "{\"installationId\":\"" + id + "\",\"tenantId\":\"" + TENANT + "\",\"connector\":\"stripe\",\"rejections\":3,\"reason\":\""
                        + sentence + "\"}");
        awaitStatus(id, "broken", sentence);

        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, "/polymux/vault-service", ConnectionEventTypes.CREDENTIALS_STORED, id,
                "{\"tenantId\":\"" + TENANT + "\",\"fields\":[\"value\"]}");
        awaitStatus(id, "active", null);
    }

    private static void awaitStatus(String id, String status, String reason) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().header("Authorization", INSTALLER)
                .get("/tenants/" + TENANT + "/installations/" + id).then().body("status", equalTo(status))
                .body("statusReason", equalTo(reason)));
    }
}
