package dev.polymux.registry.connector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Manifest safety at publish time: private hosts (unless the operator's allow list, here the %test one, opens them),
 * patterns RE2/J cannot run and references leaving the manifest are refused by JSON pointer, for connectors and plugins
 * alike.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ManifestSafetyReviewTest {

    private static final String AUTHOR = TestTokens.bearer("umbrella-corp", "ada", "author");

    @Test
    void privateHostsAreRefusedUnlessTheOperatorAllowedThem() {
        String internal = manifest("umb-internal", "metadata.google.internal", "https://169.254.169.254/oauth/token",
                "https://metadata.google.internal/v1/{id}");
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(internal).post("/tenants/umbrella-corp/connectors")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.pointer", containsInAnyOrder("/allowedHosts/0", "/auth/tokenUrl", "/tools/0/http/url"))
                .body("errors[0].message", containsString("polymux.connectors.allowed-private-hosts"));

        // The %test allow list (localhost, 127.0.0.0/8, ::1) is what dispatch's and oauth's tests rely on.
        String local = manifest("umb-local", "localhost:8089", "http://localhost:8089/oauth/token", "http://localhost:8089/v1/{id}");
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(local).post("/tenants/umbrella-corp/connectors")
                .then().statusCode(201);
        String tenNet = manifest("umb-tennet", "10.0.0.5", "https://login.umbrella.example/oauth/token", "https://10.0.0.5/v1/{id}");
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(tenNet).post("/tenants/umbrella-corp/connectors")
                .then().statusCode(400).body("errors.pointer", containsInAnyOrder("/allowedHosts/0", "/tools/0/http/url"));
    }

    @Test
    void toolSchemasWithUnrunnablePatternsOrRemoteReferencesAreRefused() {
        String manifest = manifest("umb-schemas", "api.umbrella.example", "https://login.umbrella.example/oauth/token",
                "https://api.umbrella.example/v1/{id}")
                .replace("\"id\":{\"type\":\"string\"}", "\"id\":{\"type\":\"string\",\"pattern\":\"^(?!admin)\"},"
                        + "\"more\":{\"$ref\":\"http://127.0.0.1:9/x.json\"}");
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body(manifest).post("/tenants/umbrella-corp/connectors")
                .then().statusCode(400)
                .body("errors.pointer", containsInAnyOrder("/tools/0/input/properties/id/pattern", "/tools/0/input/properties/more/$ref"))
                .body(not(containsString("127.0.0.1:9")));
    }

    @Test
    void aPluginsShapePatternIsCompiledAtPublishTime() {
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"umb-stall","version":"1.0.0","label":"Stall","connections":[
                  {"kind":"vault","key":"k","label":"Key","shape":{"kind":"single","pattern":"^(a+)\\\\1$"}}]}""")
                .post("/tenants/umbrella-corp/plugins").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/connections/0/shape/pattern"));
        // The pattern is fine on RE2/J: linear, so it is published.
        given().header("Authorization", AUTHOR).contentType(ContentType.JSON).body("""
                {"id":"umb-linear","version":"1.0.0","label":"Linear","connections":[
                  {"kind":"vault","key":"k","label":"Key","shape":{"kind":"single","pattern":"(.*a){20}$"}}]}""")
                .post("/tenants/umbrella-corp/plugins").then().statusCode(201);
    }

    private static String manifest(String id, String allowedHost, String tokenUrl, String toolUrl) {
        return """
                {"id":"%s","version":"1.0.0","label":"Umbrella","description":"Umbrella records.","kind":"oauth",
                 "auth":{"authorizationUrl":"https://login.umbrella.example/oauth/authorize","tokenUrl":"%s","scopes":["records.read"]},
                 "tools":[{"name":"get_record","description":"Gets one record.",
                   "input":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}},
                   "http":{"method":"GET","url":"%s","credential":{"placement":"bearer"}}}],
                 "allowedHosts":["%s"]}""".formatted(id, tokenUrl, toolUrl, allowedHost);
    }
}
