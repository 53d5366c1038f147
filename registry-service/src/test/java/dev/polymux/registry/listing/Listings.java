package dev.polymux.registry.listing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Manifests and calls the listing tests share. */
final class Listings {

    static final String DRIVE_FILE = "https://www.googleapis.com/auth/drive.file";

    private Listings() {
    }

    /** A vault connection whose checks pass without a finding. */
    static String connection(String id, String label) {
        return """
                {"id":"%s","version":"1.0.0","label":"%s","description":"Widgets by key.","kind":"vault",
                 "auth":{"shape":{"kind":"single","field":"value","secret":true}},
                 "tools":[{"name":"get_widget","description":"Reads a widget.",
                   "input":{"type":"object","required":["id"],"properties":{"id":{"type":"string","pattern":"^[a-z0-9-]+$"}}},
                   "http":{"method":"GET","url":"https://api.widgets.example/widgets/{id}","credential":{"placement":"header","name":"X-Api-Key"}}}],
                 "allowedHosts":["api.widgets.example"]}""".formatted(id, label);
    }

    /** A plugin using the in-tree google-drive connector and an inline key: every check passes. */
    static String cleanPlugin(String id) {
        return """
                {"id":"%s","version":"1.0.0","label":"Files","description":"Files invoices to Drive.","connections":[
                  {"kind":"vault","key":"api_key","label":"API key","shape":{"kind":"single","field":"value","secret":true}},
                  {"kind":"oauth","key":"drive","label":"Drive","connector":"google-drive","scopes":["%s"]}]}""".formatted(id, DRIVE_FILE);
    }

    /** A plugin that uses a vault connector by id. */
    static String pluginUsing(String id, String connectorId) {
        return """
                {"id":"%s","version":"1.0.0","label":"Widgets","connections":[
                  {"kind":"vault","key":"widgets","label":"Widgets key","connector":"%s"}]}""".formatted(id, connectorId);
    }

    /** A plugin whose inline shape marks no field secret: not blocking, but a person must look at it. */
    static String pluginWithoutSecretField(String id) {
        return """
                {"id":"%s","version":"1.0.0","label":"Region only","connections":[
                  {"kind":"vault","key":"account","label":"Account","shape":{"kind":"tuple","fields":[
                    {"name":"account","label":"Account","secret":false},{"name":"region","label":"Region","secret":false}]}}]}""".formatted(id);
    }

    static String listing(String type, String manifest) {
        return "{\"type\":\"" + type + "\",\"manifest\":" + manifest + "}";
    }

    static ValidatableResponse create(String token, String tenant, String type, String manifest) {
        return given().header("Authorization", token).contentType(ContentType.JSON).body(listing(type, manifest))
                .post("/tenants/" + tenant + "/listings").then();
    }

    static ValidatableResponse submit(String token, String tenant, String type, String id) {
        return given().header("Authorization", token).post("/tenants/" + tenant + "/listings/" + type + "/" + id + "/versions/1.0.0/submit").then();
    }

    static ValidatableResponse decide(String token, String type, String id, String decision, String note) {
        return given().header("Authorization", token).contentType(ContentType.JSON)
                .body(note == null ? "{}" : "{\"note\":\"" + note + "\"}")
                .post("/reviews/listings/" + type + "/" + id + "/versions/1.0.0/" + decision).then();
    }

    static ValidatableResponse install(String token, String tenant, String pluginId) {
        return given().header("Authorization", token).contentType(ContentType.JSON).body("{\"pluginId\":\"" + pluginId + "\"}")
                .post("/tenants/" + tenant + "/installations").then();
    }
}
