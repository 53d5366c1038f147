package dev.polymux.registry.installation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.EventSchemas;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Installations over REST and their status from real connection events, redelivered and out of order too. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class InstallationLifecycleTest {

    private static final String AUTHOR = TestTokens.bearer("umbrella", "uma", "author");
    private static final String INSTALLER = TestTokens.bearer("umbrella", "ian", "installer");
    private static final Instant T0 = Instant.now();

    @Test
    void installingCreatesOnePendingInstallationPerConnectionKeyAndAnnouncesEach() {
        publish("lifecycle-one");
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            List<String> ids = install("lifecycle-one");
            assertEquals(2, ids.size());
            for (String id : ids) {
                JsonNode created = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText()));
                assertEquals(ConnectionEventTypes.INSTALLATION_CREATED, created.path("type").asText());
                assertEquals("umbrella", created.path("data").path("tenantId").asText());
                // vault-service validates pasted values against this shape; oauth installations have none.
                boolean vault = "vault".equals(created.path("data").path("kind").asText());
                assertEquals(vault ? "single" : "", created.path("data").path("shape").path("kind").asText());
                // oauth-service runs the grant by the pinned connector's manifest, carried in the event.
                assertEquals(vault ? "" : "google-drive", created.path("data").path("connectorManifest").path("id").asText());
                assertEquals(vault ? "" : "1.0.0", created.path("data").path("connectorVersion").asText(""));
                EventSchemas.assertMatchesItsSchema(created);
            }
            given().header("Authorization", INSTALLER).get("/tenants/umbrella/installations/" + ids.get(0))
                    .then().statusCode(200).body("status", equalTo("pending"));
        }
    }

    @Test
    void anIntegrationInstallationCarriesItsConnectorsShapeForTheVault() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"lifecycle-mqtt","version":"1.0.0","label":"Telemetry","connections":[
                  {"kind":"integration","key":"broker","label":"Broker","connector":"mqtt"}]}""")
                .post("/tenants/umbrella/plugins").then().statusCode(201);
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            String id = install("lifecycle-mqtt").get(0);
            JsonNode created = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText()));
            JsonNode shape = created.path("data").path("shape");
            assertEquals("tuple", shape.path("kind").asText());
            assertEquals("broker_url", shape.path("fields").path(0).path("name").asText());
            assertEquals("mqtt", created.path("data").path("connectorManifest").path("handler").asText(),
                    "oauth-service runs the setup steps by the pinned manifest");
            EventSchemas.assertMatchesItsSchema(created);
        }
    }

    @Test
    void anIntegrationBecomesActiveWhenItsSetupIsCompleteNotWhenValuesAreStored() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"lifecycle-setup","version":"1.0.0","label":"Telemetry","connections":[
                  {"kind":"integration","key":"broker","label":"Broker","connector":"mqtt"}]}""")
                .post("/tenants/umbrella/plugins").then().statusCode(201);
        String id = install("lifecycle-setup").get(0);
        String marker = install(publishAndReturn("lifecycle-marker-setup")).get(0);

        send(ConnectionEventTypes.CREDENTIALS_STORED, id, Instant.now().plusSeconds(1), null);
        send(ConnectionEventTypes.CREDENTIALS_STORED, marker, Instant.now().plusSeconds(1), null);
        awaitStatus(marker, "active"); // the events behind it are applied too
        given().header("Authorization", INSTALLER).get("/tenants/umbrella/installations/" + id).then().body("status", equalTo("pending"));

        send(ConnectionEventTypes.SETUP_COMPLETED, id, Instant.now().plusSeconds(2), null);
        awaitStatus(id, "active");
    }

    @Test
    void aVaultInstallationOfAVaultConnectorCarriesTheConnectorsShape() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"lifecycle-stripe","version":"1.0.0","label":"Payments","connections":[
                  {"kind":"vault","key":"stripe","label":"Stripe","connector":"stripe"}]}""")
                .post("/tenants/umbrella/plugins").then().statusCode(201);
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            String id = install("lifecycle-stripe").get(0);
            JsonNode created = events.awaitCloudEvent(json -> id.equals(json.path("subject").asText()));
            assertEquals("^rk_(live|test)_[A-Za-z0-9]+$", created.path("data").path("shape").path("pattern").asText());
            assertEquals("stripe", created.path("data").path("connectorId").asText());
            EventSchemas.assertMatchesItsSchema(created);
        }
    }

    @Test
    void statusFollowsEventsAndIgnoresRedeliveredAndOutOfOrderOnes() {
        publish("lifecycle-two");
        String drive = install("lifecycle-two").get(1);

        send(ConnectionEventTypes.GRANT_AUTHORIZED, drive, T0.plusSeconds(10), null);
        awaitStatus(drive, "active");

        send(ConnectionEventTypes.GRANT_BROKEN, drive, T0.plusSeconds(30), "Access to Google Drive was revoked; reconnect the connection.");
        awaitStatus(drive, "broken");

        // Late (older) and redelivered events change nothing; a marker event after them proves they were consumed.
        send(ConnectionEventTypes.GRANT_AUTHORIZED, drive, T0.plusSeconds(20), null);
        send(ConnectionEventTypes.GRANT_BROKEN, drive, T0.plusSeconds(30), "A redelivered copy with other words.");
        String marker = install(publishAndReturn("lifecycle-marker")).get(0);
        send(ConnectionEventTypes.CREDENTIALS_STORED, marker, Instant.now().plusSeconds(5), null);
        awaitStatus(marker, "active");
        given().header("Authorization", INSTALLER).get("/tenants/umbrella/installations/" + drive)
                .then().body("status", equalTo("broken"))
                .body("statusReason", equalTo("Access to Google Drive was revoked; reconnect the connection."));

        send(ConnectionEventTypes.GRANT_AUTHORIZED, drive, T0.plusSeconds(40), null);
        awaitStatus(drive, "active");
    }

    /**
     * An event dated far ahead (a producer's broken clock, or a forged event) counts as of now: otherwise it would
     * look newer than every real event after it and freeze the status.
     */
    @Test
    void anEventFromTheFutureDoesNotFreezeTheStatus() {
        String drive = install(publishAndReturn("lifecycle-future")).get(1);
        send(ConnectionEventTypes.GRANT_BROKEN, drive, Instant.parse("9999-01-01T00:00:00Z"), "From the future.");
        awaitStatus(drive, "broken");
        send(ConnectionEventTypes.GRANT_AUTHORIZED, drive, Instant.now().plusSeconds(1), null);
        awaitStatus(drive, "active");
    }

    @Test
    void uninstallingRevokesAnnouncesAndStaysRevoked() {
        publish("lifecycle-three");
        List<String> ids = install("lifecycle-three");
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.CONNECTION_EVENTS)) {
            given().header("Authorization", INSTALLER).delete("/tenants/umbrella/installations/by-plugin/lifecycle-three")
                    .then().statusCode(200).body("status", equalTo(List.of("revoked", "revoked")));
            JsonNode removed = events.awaitCloudEvent(json -> ids.get(0).equals(json.path("subject").asText())
                    && ConnectionEventTypes.INSTALLATION_REMOVED.equals(json.path("type").asText()));
            assertEquals("revoked", removed.path("data").path("status").asText());
            EventSchemas.assertMatchesItsSchema(removed);
        }
        send(ConnectionEventTypes.CREDENTIALS_STORED, ids.get(0), Instant.now().plusSeconds(60), null);
        String marker = install(publishAndReturn("lifecycle-marker-two")).get(0);
        send(ConnectionEventTypes.CREDENTIALS_STORED, marker, Instant.now().plusSeconds(60), null);
        awaitStatus(marker, "active");
        given().header("Authorization", INSTALLER).get("/tenants/umbrella/installations/" + ids.get(0))
                .then().body("status", equalTo("revoked")).body("statusReason", equalTo("Uninstalled by ian."));

        install("lifecycle-three"); // and it can be installed again
    }

    @Test
    void installingTwiceIsAConflictAndOtherTenantsSeeNothing() {
        publish("lifecycle-four");
        String id = install("lifecycle-four").get(0);
        given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"lifecycle-four\"}")
                .post("/tenants/umbrella/installations").then().statusCode(409);

        String outsider = TestTokens.bearer("globex", "gina", "installer");
        given().header("Authorization", outsider).get("/tenants/globex/installations/" + id).then().statusCode(404);
        given().header("Authorization", outsider).get("/tenants/umbrella/installations/" + id).then().statusCode(404);
        given().header("Authorization", outsider).get("/tenants/globex/installations").then().statusCode(200).body("$", hasSize(0));
    }

    private static void publish(String pluginId) {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"%s","version":"1.0.0","label":"Lifecycle","connections":[
                  {"kind":"vault","key":"stripe_restricted_key","label":"Stripe key","shape":{"kind":"single"}},
                  {"kind":"oauth","key":"drive","label":"Drive","connector":"google-drive",
                   "scopes":["https://www.googleapis.com/auth/drive.file"]}]}""".formatted(pluginId))
                .post("/tenants/umbrella/plugins").then().statusCode(201);
    }

    private static String publishAndReturn(String pluginId) {
        publish(pluginId);
        return pluginId;
    }

    private static List<String> install(String pluginId) {
        return given().header("Authorization", INSTALLER).contentType(ContentType.JSON).body("{\"pluginId\":\"" + pluginId + "\"}")
                .post("/tenants/umbrella/installations")
                .then().statusCode(201).extract().jsonPath().getList("installationId", String.class);
    }

    private static void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().header("Authorization", INSTALLER)
                .get("/tenants/umbrella/installations/" + id).then().body("status", equalTo(status)));
    }

    /** What vault-service / oauth-service publish, as they will publish it. */
    private static void send(String type, String installationId, Instant time, String reason) {
        String data = reason == null ? "{}" : "{\"reason\":\"" + reason + "\"}";
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, installationId, """
                {"specversion":"1.0","id":"%s","source":"/polymux/test","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":%s}""".formatted(UUID.randomUUID(), type, installationId, time, data),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
    }
}
