package dev.polymux.oauth.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.restassured.http.ContentType;

/**
 * OAuth installations as the registry announces them (real events on the real broker), and connecting them as a
 * person's browser would: authorize, follow the provider's redirect, land on the callback.
 */
public final class Connections {

    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private Connections() {
    }

    public static String installer(String tenant) {
        return TestTokens.bearer(tenant, "installer-" + tenant, "installer");
    }

    /**
     * A new oauth installation of {@code tenant} using {@code manifest}, known to oauth-service (authorize answers other
     * than 404) and vault-service on return.
     */
    public static String installed(String tenant, String connectorId, String manifest) {
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","pluginId":"oauth-test",
                 "pluginVersion":"1.0.0","connectionKey":"acme","kind":"oauth","connectorId":"%s","status":"pending",
                 "connectorVersion":"1.0.0","scopes":["read"],"connectorManifest":%s}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.INSTALLATION_CREATED, id, Instant.now(), tenant, id, connectorId, manifest),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> knownToVault(tenant, id)
                && given().header("Authorization", installer(tenant)).contentType(ContentType.JSON).body("{}")
                        .post("/tenants/" + tenant + "/installations/" + id + "/authorize").statusCode() != 404);
        return id;
    }

    /** vault-service tells "no values stored" (it knows the installation) from "no installation" apart. */
    private static boolean knownToVault(String tenant, String id) {
        return given().port(VaultServiceChild.port).header("Authorization", installer(tenant))
                .get("/tenants/" + tenant + "/credentials/" + id).asString().contains("No values are stored");
    }

    /** The authorize URL for the installation (optionally with a return URL). */
    public static URI authorizeUrl(String tenant, String id, String returnUrl) {
        String body = returnUrl == null ? "{}" : "{\"returnUrl\":\"" + returnUrl + "\"}";
        return URI.create(given().header("Authorization", installer(tenant)).contentType(ContentType.JSON).body(body)
                .post("/tenants/" + tenant + "/installations/" + id + "/authorize").then().statusCode(200)
                .extract().path("authorizeUrl"));
    }

    /** What the provider redirects the browser to after the person allowed access: the callback URL's query. */
    public static Map<String, String> allow(URI authorizeUrl) {
        try {
            HttpResponse<String> response = BROWSER.send(HttpRequest.newBuilder(authorizeUrl).GET().build(), HttpResponse.BodyHandlers.ofString());
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new AssertionError("the provider did not redirect: HTTP " + response.statusCode()));
            assertTrue(location.contains("/oauth/callback"), location);
            return query(URI.create(location));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Authorizes, allows, lands on the callback: the installation is connected on return. */
    public static void connect(String tenant, String id) {
        Map<String, String> callback = allow(authorizeUrl(tenant, id, null));
        given().queryParams(callback).get("/oauth/callback").then().statusCode(200);
    }

    public static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
