package dev.polymux.dispatch.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    /**
     * Publishes a plugin version once per test JVM. One whose inline entries carry a request or command block waits for a
     * person (the policy never approves where a secret goes), so the reviewer approves it, as on a real platform.
     */
    public static synchronized void plugin(String id, String manifest) {
        if (!PUBLISHED.add("plugin:" + id)) {
            return;
        }
        JsonPath published = given().port(RegistryServiceChild.port).header("Authorization", AUTHOR).contentType(ContentType.JSON).body(manifest)
                .post("/tenants/" + AUTHORS_TENANT + "/plugins").then().statusCode(201).extract().jsonPath();
        if ("in_review".equals(published.getString("state"))) {
            given().port(RegistryServiceChild.port).header("Authorization", REVIEWER).contentType(ContentType.JSON).body("{\"note\":\"Test plugin.\"}")
                    .post("/reviews/listings/plugin/" + id + "/versions/" + published.getString("version") + "/approve")
                    .then().statusCode(200).body("state", equalTo("approved"));
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

    /**
     * The installer runs an integration's setup step with these fields (oauth-service learns of the installation from
     * the registry's event first): the check's answer, {@code passed}, {@code message} and {@code setupComplete}.
     */
    public static JsonPath setUp(String tenant, String installationId, String step, String fieldsJson) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> given().port(OAuthChild.port)
                .header("Authorization", installer(tenant)).contentType(ContentType.JSON).body("{\"fields\":" + fieldsJson + "}")
                .put("/tenants/" + tenant + "/installations/" + installationId + "/setup/" + step), response -> response.statusCode() == 200)
                .jsonPath();
    }

    /** The installer connects a client-credentials connection: oauth-service gets a token at once. */
    public static void connect(String tenant, String installationId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().port(OAuthChild.port)
                .header("Authorization", installer(tenant)).contentType(ContentType.JSON).body("{}")
                .post("/tenants/" + tenant + "/installations/" + installationId + "/authorize").then().statusCode(200));
        awaitStatus(tenant, installationId, "active");
    }

    /**
     * The installer connects an authorization-code connection as a person's browser would: authorize at oauth-service,
     * allow at the provider (which redirects at once), land on oauth-service's callback with the code.
     */
    public static void connectWithConsent(String tenant, String installationId) {
        String startUrl = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            io.restassured.response.Response answer = given().port(OAuthChild.port).header("Authorization", installer(tenant))
                    .contentType(ContentType.JSON).body("{}").post("/tenants/" + tenant + "/installations/" + installationId + "/authorize");
            return answer.statusCode() == 200 ? answer.jsonPath().getString("authorizeUrl") : null;
        }, java.util.Objects::nonNull);
        // One browser for the whole flow: oauth-service binds the callback to the cookie its start URL sets.
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        // The URLs name oauth-service's public address; the child listens on a port of its own.
        URI provider = redirectOf(browser, onTheChild(URI.create(startUrl)));
        URI callback = redirectOf(browser, provider);
        try {
            HttpResponse<String> connected = browser.send(HttpRequest.newBuilder(onTheChild(callback)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (connected.statusCode() != 200 || !connected.body().contains("\"connected\"")) {
                throw new AssertionError("the callback did not connect: HTTP " + connected.statusCode() + " " + connected.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        awaitStatus(tenant, installationId, "active");
    }

    private static URI onTheChild(URI url) {
        return URI.create("http://localhost:" + OAuthChild.port + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    }

    private static URI redirectOf(HttpClient browser, URI url) {
        try {
            HttpResponse<Void> answer = browser.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.discarding());
            return URI.create(answer.headers().firstValue("Location")
                    .orElseThrow(() -> new AssertionError(url.getPath() + " did not redirect: HTTP " + answer.statusCode())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The installer uninstalls the plugin: its grants and secrets are deleted by their services. */
    public static void uninstall(String tenant, String pluginId) {
        given().port(RegistryServiceChild.port).header("Authorization", installer(tenant))
                .delete("/tenants/" + tenant + "/installations/by-plugin/" + pluginId).then().statusCode(200);
    }

    public static void awaitStatus(String tenant, String installationId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().port(RegistryServiceChild.port)
                .header("Authorization", installer(tenant)).get("/tenants/" + tenant + "/installations/" + installationId)
                .then().body("status", equalTo(status)));
    }
}
