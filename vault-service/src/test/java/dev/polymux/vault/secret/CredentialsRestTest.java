package dev.polymux.vault.secret;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.vault.audit.service.AuditTrail;
import dev.polymux.vault.support.Installations;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The installers' write-only API: every shape, every refusal as problem+json, events on the real broker. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class CredentialsRestTest {

    private static final String INSTALLER = TestTokens.bearer("initech", "peter", "installer");
    private static final String KEY = "rk_test_51HxInitechRestrictedKey";

    @Test
    void storingASingleValueAnnouncesItAndDescribesItWithoutTheValue() {
        String id = Installations.created("initech", "vault", Installations.SINGLE, INSTALLER);
        try (KafkaEvents connection = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS);
                KafkaEvents audit = KafkaEvents.watch(EventTopics.AUDIT_EVENTS)) {
            String stored = put(id, "{\"value\":\"" + KEY + "\"}").then().statusCode(200)
                    .body("installationId", equalTo(id)).body("version", equalTo(1)).body("updatedBy", equalTo("peter"))
                    .body("fields.name", contains("value")).body("fields[0].length", equalTo(KEY.length()))
                    .body("fields[0].fingerprint", matchesPattern("sha256:[0-9a-f]{8}"))
                    .extract().asString();
            assertFalse(stored.contains(KEY));

            JsonNode event = connection.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.CREDENTIALS_STORED.equals(json.path("type").asText()));
            assertEquals("initech", event.path("data").path("tenantId").asText());
            assertEquals("[\"value\"]", event.path("data").path("fields").toString());
            EventSchemas.assertMatchesItsSchema(event);

            JsonNode written = audit.awaitCloudEvent(json -> id.equals(json.path("subject").asText()));
            assertEquals(AuditTrail.SECRET_WRITTEN, written.path("type").asText());
            assertEquals("peter", written.path("data").path("actor").asText());
            EventSchemas.assertMatchesItsSchema(written);
        }
        String described = given().header("Authorization", INSTALLER).get("/tenants/initech/credentials/" + id)
                .then().statusCode(200).body("fields.name", contains("value")).extract().asString();
        assertFalse(described.contains(KEY));

        // A second PUT replaces the values: a new version, a new fingerprint.
        put(id, "{\"value\":\"rk_live_Another\"}").then().statusCode(200).body("version", equalTo(2))
                .body("fields[0].length", equalTo("rk_live_Another".length()));
    }

    @Test
    void pairAndTupleTakeExactlyTheirFields() {
        String pair = Installations.created("initech", "vault", Installations.PAIR, INSTALLER);
        put(pair, "{\"username\":\"milton\",\"password\":\"stapler-1999\"}").then().statusCode(200)
                .body("fields.name", containsInAnyOrder("username", "password"));

        String tuple = Installations.created("initech", "integration", Installations.TUPLE, INSTALLER);
        put(tuple, "{\"access_key\":\"AKIAINITECH\",\"secret_key\":\"tps-report-secret\"}").then().statusCode(200)
                .body("fields.name", containsInAnyOrder("access_key", "secret_key"));
        put(tuple, "{\"access_key\":\"AKIAINITECH\",\"secret_key\":\"tps-report-secret\",\"region\":\"eu-west-1\"}").then()
                .statusCode(200).body("fields", hasSize(3)).body("version", equalTo(2));
    }

    @Test
    void valuesThatDoNotFitTheShapeAreRefusedFieldByFieldWithoutEchoingThem() {
        String single = Installations.created("initech", "vault", Installations.SINGLE, INSTALLER);
        invalid(single, "{}", "/value", "is required");
        invalid(single, "{\"value\":\"" + KEY + "\",\"extra\":\"x\"}", "/extra", "is not a field of this connection");
        invalid(single, "{\"value\":42}", "/value", "must be a string");
        invalid(single, "{\"value\":\"rk_test_" + "A".repeat(80) + "\"}", "/value", "is longer than 64 characters");
        String wrongForm = given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\":\"sk_live_NotRestricted\"}")
                .put("/tenants/initech/credentials/" + single).then().statusCode(400)
                .body("errors[0].message", equalTo("does not have the form this connection expects")).extract().asString();
        assertFalse(wrongForm.contains("sk_live_NotRestricted"));

        String pair = Installations.created("initech", "vault", Installations.PAIR, INSTALLER);
        invalid(pair, "{\"username\":\"milton\"}", "/password", "is required");
        invalid(pair, "[\"milton\",\"stapler\"]", "/", "must be an object of field names to values");

        String tuple = Installations.created("initech", "integration", Installations.TUPLE, INSTALLER);
        invalid(tuple, "{\"access_key\":\"AKIA\",\"secret_key\":{\"nested\":true}}", "/secret_key", "must be a string");

        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"value\": \"rk_test_unterminated")
                .put("/tenants/initech/credentials/" + single).then().statusCode(400)
                .contentType("application/problem+json").body(not(containsString("rk_test_unterminated")));
        given().header("Authorization", INSTALLER).get("/tenants/initech/credentials/" + single).then().statusCode(404);
    }

    @Test
    void otherTenantsOAuthAndRemovedInstallationsAreRefused() {
        String id = Installations.created("initech", "vault", Installations.SINGLE, INSTALLER);
        String outsider = TestTokens.bearer("chotchkies", "joanna", "installer");
        given().header("Authorization", outsider).contentType(ContentType.JSON).body("{\"value\":\"" + KEY + "\"}")
                .put("/tenants/chotchkies/credentials/" + id).then().statusCode(404);
        given().header("Authorization", outsider).get("/tenants/initech/credentials/" + id).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer("initech", "bill", "author")).contentType(ContentType.JSON)
                .body("{\"value\":\"" + KEY + "\"}").put("/tenants/initech/credentials/" + id).then().statusCode(403);
        given().contentType(ContentType.JSON).body("{\"value\":\"" + KEY + "\"}").put("/tenants/initech/credentials/" + id)
                .then().statusCode(401);

        String oauth = Installations.created("initech", "oauth", null, INSTALLER);
        put(oauth, "{\"value\":\"" + KEY + "\"}").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("authorizing it"));

        given().header("Authorization", INSTALLER).get("/tenants/initech/credentials/inst_never_created").then().statusCode(404)
                .body("detail", containsString("retry shortly"));
    }

    @Test
    void deletingAnnouncesItAndLeavesNothing() {
        String id = Installations.created("initech", "vault", Installations.SINGLE, INSTALLER);
        put(id, "{\"value\":\"" + KEY + "\"}").then().statusCode(200);
        try (KafkaEvents connection = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            given().header("Authorization", INSTALLER).delete("/tenants/initech/credentials/" + id).then().statusCode(204);
            JsonNode deleted = connection.awaitCloudEvent(json -> id.equals(json.path("subject").asText())
                    && ConnectionEventTypes.CREDENTIALS_DELETED.equals(json.path("type").asText()));
            EventSchemas.assertMatchesItsSchema(deleted);
        }
        given().header("Authorization", INSTALLER).get("/tenants/initech/credentials/" + id).then().statusCode(404);
        given().header("Authorization", INSTALLER).delete("/tenants/initech/credentials/" + id).then().statusCode(404);
    }

    private static io.restassured.response.Response put(String id, String body) {
        return given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body(body).put("/tenants/initech/credentials/" + id);
    }

    private static void invalid(String id, String body, String pointer, String message) {
        String problem = put(id, body).then().statusCode(400).contentType("application/problem+json")
                .body("errors.find { it.pointer == '" + pointer + "' }.message", containsString(message))
                .extract().asString();
        assertFalse(problem.contains("rk_test_AAAA") || problem.contains("stapler") || problem.contains("nested"), problem);
    }
}
