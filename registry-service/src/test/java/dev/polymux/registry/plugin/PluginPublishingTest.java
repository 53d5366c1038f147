package dev.polymux.registry.plugin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.equalTo;

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

/** Publishing plugins against the catalog: what is refused, and what a published plugin pins. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class PluginPublishingTest {

    private static final String DANA_AUTHOR = TestTokens.bearer("initech", "dana", "author");
    private static final String DRIVE_FILE = "https://www.googleapis.com/auth/drive.file";

    @Test
    void aPluginUsingInTreeConnectorsIsPublishedWithItsConnectorVersionsPinned() {
        try (KafkaEvents events = KafkaEvents.watch(EventTopics.REGISTRY_EVENTS)) {
            publish("invoice-sync-events");
            EventSchemas.assertMatchesItsSchema(events.awaitCloudEvent(json -> "invoice-sync-events".equals(json.path("subject").asText())));
        }
    }

    private static void publish(String pluginId) {
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body(plugin(pluginId, "1.0.0", DRIVE_FILE))
                .post("/tenants/initech/plugins")
                .then().statusCode(201)
                .body("manifest.connections[1].connectorVersion", equalTo("1.0.0"));
    }

    @Test
    void aPublishedPluginIsInTheMarketplace() {
        publish("invoice-sync");

        given().header("Authorization", TestTokens.bearer("globex", "carol", "installer")).queryParam("q", "invoice")
                .get("/marketplace/plugins")
                .then().statusCode(200).body("items.pluginId", hasItem("invoice-sync"));
        given().header("Authorization", TestTokens.bearer("globex", "carol", "installer")).get("/marketplace/plugins/invoice-sync")
                .then().statusCode(200).body("manifest.connections[0].key", equalTo("stripe_restricted_key"));
    }

    @Test
    void aScopeTheConnectorDoesNotDeclareIsRefusedAtItsPointer() {
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON)
                .body(plugin("greedy", "1.0.0", "https://www.googleapis.com/auth/drive"))
                .post("/tenants/initech/plugins")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/connections/1/scopes/0"))
                .body("errors[0].message", equalTo("'https://www.googleapis.com/auth/drive' is not a scope connector 'google-drive' declares"));
    }

    @Test
    void aConnectorThatIsNotApprovedCannotBeUsed() {
        String manifest = plugin("uses-draft", "1.0.0", DRIVE_FILE).replace("\"connector\":\"google-drive\"", "\"connector\":\"not-approved-anywhere\"");
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body(manifest)
                .post("/tenants/initech/plugins")
                .then().statusCode(400)
                .body("errors[0].pointer", equalTo("/connections/1/connector"))
                .body("errors[0].message", equalTo("'not-approved-anywhere' is not an approved connector"));
    }

    @Test
    void anEntryMustMatchItsConnectorsKind() {
        String manifest = plugin("kind-mismatch", "1.0.0", DRIVE_FILE).replace("\"connector\":\"google-drive\"", "\"connector\":\"mqtt\"")
                .replace(",\"scopes\":[\"" + DRIVE_FILE + "\"]", "");
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body(manifest)
                .post("/tenants/initech/plugins")
                .then().statusCode(400).body("errors[0].message", equalTo("connector 'mqtt' is of kind integration"));
    }

    @Test
    void aVaultEntryMayNameAVaultConnectorWhoseVersionIsPinnedAndWhoseKindMustMatch() {
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"checkout","version":"1.0.0","label":"Checkout","connections":[
                  {"kind":"vault","key":"stripe","label":"Stripe","connector":"stripe"}]}""")
                .post("/tenants/initech/plugins").then().statusCode(201)
                .body("manifest.connections[0].connectorVersion", equalTo("1.0.0"));
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"checkout-wrong","version":"1.0.0","label":"Checkout","connections":[
                  {"kind":"vault","key":"drive","label":"Drive","connector":"google-drive"}]}""")
                .post("/tenants/initech/plugins").then().statusCode(400)
                .body("errors[0].message", equalTo("connector 'google-drive' is of kind oauth"));
    }

    @Test
    void duplicateKeysAndRepublishingAreRefused() {
        String duplicate = plugin("dupe-keys", "1.0.0", DRIVE_FILE).replace("\"key\":\"drive\"", "\"key\":\"stripe_restricted_key\"");
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body(duplicate).post("/tenants/initech/plugins")
                .then().statusCode(400).body("errors[0].pointer", equalTo("/connections/1/key"));

        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body(plugin("once-only", "1.0.0", DRIVE_FILE))
                .post("/tenants/initech/plugins").then().statusCode(201);
        given().header("Authorization", DANA_AUTHOR).contentType(ContentType.JSON).body(plugin("once-only", "1.0.0", DRIVE_FILE))
                .post("/tenants/initech/plugins").then().statusCode(409);
    }

    static String plugin(String id, String version, String driveScope) {
        return """
                {"id":"%s","version":"%s","label":"Invoice sync","description":"Files invoices to Drive.","connections":[
                  {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key",
                   "help":"Use a restricted key with `write:checkout-sessions`.","required":true,
                   "shape":{"kind":"single","field":"value","secret":true}},
                  {"kind":"oauth","key":"drive","label":"Google Drive","connector":"google-drive","scopes":["%s"]}]}"""
                .formatted(id, version, driveScope);
    }
}
