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
 * Every connection event the registry turns into installation status, as any CloudEvents 1.0 producer may send it
 * (dataschema, tracestate, a custom extension, no time): each one moves the status.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ConnectionEventsWithExtensionsTest {

    private static final String TENANT = "extended-registry";
    private static final String AUTHOR = TestTokens.bearer(TENANT, "ada", "author");
    private static final String INSTALLER = TestTokens.bearer(TENANT, "ian", "installer");

    @Test
    void everyStatusEventWithExtensionsAndNoTimeMovesTheStatus() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"extended-events","version":"1.0.0","label":"Extended","connections":[
                  {"kind":"vault","key":"stripe_restricted_key","label":"Stripe key","shape":{"kind":"single"}},
                  {"kind":"oauth","key":"drive","label":"Drive","connector":"google-drive",
                   "scopes":["https://www.googleapis.com/auth/drive.file"]}]}""")
                .post("/tenants/" + TENANT + "/plugins").then().statusCode(201);
        List<String> ids = given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"extended-events\"}")
                .post("/tenants/" + TENANT + "/installations").then().statusCode(201).extract().jsonPath().getList("installationId", String.class);
        String vault = ids.get(0);
        String oauth = ids.get(1);

        send(ConnectionEventTypes.CREDENTIALS_STORED, "/polymux/vault-service", vault, "{\"tenantId\":\"" + TENANT + "\",\"fields\":[\"value\"]}");
        awaitStatus(vault, "active", null);
        send(ConnectionEventTypes.CREDENTIALS_DELETED, "/polymux/vault-service", vault, "{\"tenantId\":\"" + TENANT + "\"}");
        awaitStatus(vault, "pending", null);

        send(ConnectionEventTypes.GRANT_AUTHORIZED, "/polymux/oauth-service", oauth, "{\"tenantId\":\"" + TENANT + "\"}");
        awaitStatus(oauth, "active", null);
        send(ConnectionEventTypes.GRANT_BROKEN, "/polymux/oauth-service", oauth, "{\"reason\":\"Access to Drive was revoked; reconnect it.\"}");
        awaitStatus(oauth, "broken", "Access to Drive was revoked; reconnect it.");
        send(ConnectionEventTypes.GRANT_REVOKED, "/polymux/oauth-service", oauth, "{\"reason\":\"The plugin was uninstalled.\"}");
        awaitStatus(oauth, "revoked", "The plugin was uninstalled.");
    }

    private static void send(String type, String source, String installationId, String data) {
        ExtendedCloudEvents.send(EventTopics.CONNECTION_EVENTS, source, type, installationId, data);
    }

    private static void awaitStatus(String id, String status, String reason) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().header("Authorization", INSTALLER)
                .get("/tenants/" + TENANT + "/installations/" + id).then().body("status", equalTo(status))
                .body("statusReason", equalTo(reason)));
    }
}
