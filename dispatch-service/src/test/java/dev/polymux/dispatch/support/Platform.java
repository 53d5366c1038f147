package dev.polymux.dispatch.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.RegistryServiceChild;
import dev.polymux.testing.service.VaultServiceChild;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The platform as its users drive it, over the real services' REST APIs: a connector author publishes a connector
 * and a reviewer approves it, a plugin is published and installed, the installer stores credentials (vault-service)
 * or connects (oauth-service), and the registry marks the installation active from the real events.
 */
public final class Platform {

    public static final String AUTHORS_TENANT = "dispatch-authors";
    private static final String AUTHOR = TestTokens.bearer(AUTHORS_TENANT, "ada", "author");
    private static final String REVIEWER = TestTokens.bearer("polymux", "rita", "reviewer");
    private static final Set<String> PUBLISHED = ConcurrentHashMap.newKeySet();

    private Platform() {
    }

    public static String installer(String tenant) {
        return TestTokens.bearer(tenant, "ian", "installer");
    }

    /** Publishes and approves a connector version once per test JVM. */
    public static synchronized void connector(String id, String manifest) {
        if (!PUBLISHED.add(id)) {
            return;
        }
        given().port(RegistryServiceChild.port).header("Authorization", AUTHOR).contentType(ContentType.JSON).body(manifest)
                .post("/tenants/" + AUTHORS_TENANT + "/connectors").then().statusCode(201);
        given().port(RegistryServiceChild.port).header("Authorization", AUTHOR).post("/tenants/" + AUTHORS_TENANT + "/connectors/" + id + "/versions/1.0.0/submit")
                .then().statusCode(200).body("state", equalTo("in_review"));
        given().port(RegistryServiceChild.port).header("Authorization", REVIEWER).contentType(ContentType.JSON).body("{\"note\":\"Test connector.\"}")
                .post("/reviews/connectors/" + id + "/versions/1.0.0/approve").then().statusCode(200);
    }

    public static synchronized void plugin(String id, String manifest) {
        if (PUBLISHED.add("plugin:" + id)) {
            given().port(RegistryServiceChild.port).header("Authorization", AUTHOR).contentType(ContentType.JSON).body(manifest)
                    .post("/tenants/" + AUTHORS_TENANT + "/plugins").then().statusCode(201);
        }
    }

    /** Installs the plugin for the tenant: installation id by connection key. */
    public static Map<String, String> install(String tenant, String pluginId) {
        JsonPath installed = given().port(RegistryServiceChild.port).header("Authorization", installer(tenant)).contentType(ContentType.JSON)
                .body("{\"pluginId\":\"" + pluginId + "\"}").post("/tenants/" + tenant + "/installations")
                .then().statusCode(201).extract().jsonPath();
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> keys = installed.getList("connectionKey", String.class);
        List<String> values = installed.getList("installationId", String.class);
        for (int i = 0; i < keys.size(); i++) {
            ids.put(keys.get(i), values.get(i));
        }
        return ids;
    }

    /** The installer pastes credentials (vault-service learns of the installation from the registry's event first). */
    public static void storeCredentials(String tenant, String installationId, String valuesJson) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().port(VaultServiceChild.port)
                .header("Authorization", installer(tenant)).contentType(ContentType.JSON).body(valuesJson)
                .put("/tenants/" + tenant + "/credentials/" + installationId).then().statusCode(200));
        awaitStatus(tenant, installationId, "active");
    }

    /** The installer connects a client-credentials connection: oauth-service gets a token at once. */
    public static void connect(String tenant, String installationId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().port(OAuthChild.port)
                .header("Authorization", installer(tenant)).contentType(ContentType.JSON).body("{}")
                .post("/tenants/" + tenant + "/installations/" + installationId + "/authorize").then().statusCode(200));
        awaitStatus(tenant, installationId, "active");
    }

    public static void awaitStatus(String tenant, String installationId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().port(RegistryServiceChild.port)
                .header("Authorization", installer(tenant)).get("/tenants/" + tenant + "/installations/" + installationId)
                .then().body("status", equalTo(status)));
    }
}
