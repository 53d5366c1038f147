package dev.polymux.oauth.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.polymux.common.event.ConnectionEventTypes;
import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.KafkaEvents;
import dev.polymux.testing.security.TestTokens;
import dev.polymux.testing.service.VaultServiceChild;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * OAuth installations as the registry announces them (real events on the real broker), and connecting them as a
 * person's browser would: authorize (the installer's app), open oauth-service's start URL (which sets the browser's
 * binding cookie and redirects to the provider), allow at the provider, land on the callback with the cookie.
 * <p>
 * {@link #authorizeUrl} opens the start URL in "the installer's browser" and returns the provider URL it was sent to;
 * RestAssured requests to oauth-service's {@code /oauth/...} paths are that browser too (they send and keep its
 * cookies), so a test that lands on the callback with RestAssured does so from the browser that started the flow.
 * A test about another browser uses a {@link Browser} of its own.
 */
public final class Connections {

    private static final Browser INSTALLERS_BROWSER = new Browser();
    private static final Filter SAME_BROWSER = new SameBrowser();

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
        return installed(tenant, connectorId, "1.0.0", manifest);
    }

    /** As {@link #installed(String, String, String)}, of a given connector version (oauth-service builds a handler per version). */
    public static String installed(String tenant, String connectorId, String connectorVersion, String manifest) {
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","pluginId":"oauth-test",
                 "pluginVersion":"1.0.0","connectionKey":"acme","kind":"oauth","connectorId":"%s","status":"pending",
                 "connectorVersion":"%s","scopes":["read"],"connectorManifest":%s}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.INSTALLATION_CREATED, id, Instant.now(), tenant, id, connectorId,
                        connectorVersion, manifest),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> knownToVault(tenant, id)
                && given().header("Authorization", installer(tenant)).contentType(ContentType.JSON).body("{}")
                        .post("/tenants/" + tenant + "/installations/" + id + "/authorize").statusCode() != 404);
        return id;
    }

    /** The registry's announcement of an integration installation (oauth-service runs its setup steps), known to vault-service on return. */
    public static String installedIntegration(String tenant, String connectorId, String manifest, String shape) {
        String id = "inst_" + UUID.randomUUID().toString().replace("-", "");
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","pluginId":"oauth-test",
                 "pluginVersion":"1.0.0","connectionKey":"broker","kind":"integration","connectorId":"%s","status":"pending",
                 "connectorVersion":"1.0.0","shape":%s,"connectorManifest":%s}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.INSTALLATION_CREATED, id, Instant.now(), tenant, id, connectorId, shape,
                        manifest),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> knownToVault(tenant, id));
        return id;
    }

    /** The registry's announcement that the installation was uninstalled. */
    public static void removed(String tenant, String id, String kind) {
        KafkaEvents.send(EventTopics.CONNECTION_EVENTS, id, """
                {"specversion":"1.0","id":"%s","source":"/polymux/registry-service","type":"%s","subject":"%s","time":"%s",
                 "datacontenttype":"application/json","data":{"tenantId":"%s","installationId":"%s","pluginId":"oauth-test",
                 "pluginVersion":"1.0.0","connectionKey":"broker","kind":"%s","connectorId":"webhook-test","status":"revoked"}}"""
                .formatted(UUID.randomUUID(), ConnectionEventTypes.INSTALLATION_REMOVED, id, Instant.now(), tenant, id, kind),
                Map.of("content-type", "application/cloudevents+json; charset=UTF-8"));
    }

    /** vault-service tells "no values stored" (it knows the installation) from "no installation" apart. */
    private static boolean knownToVault(String tenant, String id) {
        return given().port(VaultServiceChild.port).header("Authorization", installer(tenant))
                .get("/tenants/" + tenant + "/credentials/" + id).asString().contains("No values are stored");
    }

    /** The link authorize answers (oauth-service's start URL), for the installer's app to send a browser to. */
    public static URI startUrl(String tenant, String id, String returnUrl) {
        String body = returnUrl == null ? "{}" : "{\"returnUrl\":\"" + returnUrl + "\"}";
        return URI.create(given().header("Authorization", installer(tenant)).contentType(ContentType.JSON).body(body)
                .post("/tenants/" + tenant + "/installations/" + id + "/authorize").then().statusCode(200)
                .extract().path("authorizeUrl"));
    }

    /**
     * The provider's authorize URL for the installation (optionally with a return URL), as the installer's browser
     * reaches it: authorize, then open the start URL (the browser keeps the binding cookie).
     */
    public static URI authorizeUrl(String tenant, String id, String returnUrl) {
        if (!RestAssured.filters().contains(SAME_BROWSER)) {
            RestAssured.filters(SAME_BROWSER);
        }
        return INSTALLERS_BROWSER.toProvider(startUrl(tenant, id, returnUrl));
    }

    /** What the provider redirects the browser to after the person allowed access: the callback URL's query. */
    public static Map<String, String> allow(URI authorizeUrl) {
        return query(INSTALLERS_BROWSER.allow(authorizeUrl));
    }

    /** Authorizes, opens the start URL, allows, lands on the callback, all in one fresh browser: connected on return. */
    public static void connect(String tenant, String id) {
        Browser browser = new Browser();
        HttpResponse<String> landed = browser.get(browser.allow(browser.toProvider(startUrl(tenant, id, null))));
        assertTrue(landed.statusCode() == 200 && landed.body().contains("\"connected\""), "HTTP " + landed.statusCode() + ": " + landed.body());
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

    /** A person's browser: keeps cookies (java.net.CookieManager, as browsers do per origin and path), follows no redirect by itself. */
    public static final class Browser {

        private final CookieManager cookies = new CookieManager();
        private final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();

        public HttpResponse<String> get(URI uri) {
            try {
                return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /**
         * Opens a link from the app and follows oauth-service's redirects until the browser is at the provider; the
         * provider URL. (A link that is the provider's URL already is returned as it is.)
         */
        public URI toProvider(URI link) {
            URI at = link;
            for (int hop = 0; hop < 5 && onOAuthService(at); hop++) {
                HttpResponse<String> response = get(at);
                URI current = at;
                at = current.resolve(response.headers().firstValue("Location").orElseThrow(() ->
                        new AssertionError("oauth-service did not redirect to the provider: HTTP " + response.statusCode() + " " + response.body())));
            }
            return at;
        }

        /** At the provider, the person allows access (the test server redirects at once); the callback URL with its query. */
        public URI allow(URI providerUrl) {
            HttpResponse<String> response = get(providerUrl);
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new AssertionError("the provider did not redirect: HTTP " + response.statusCode()));
            assertTrue(location.contains("/oauth/callback"), location);
            return providerUrl.resolve(location);
        }

        /** The cookies this browser would send to {@code uri}. */
        public List<HttpCookie> cookiesFor(URI uri) {
            return cookies.getCookieStore().get(uri);
        }

        /** Puts a cookie into this browser, as if a site had set it. */
        public void setCookie(URI uri, String setCookieHeader) {
            try {
                cookies.put(uri, Map.of("Set-Cookie", List.of(setCookieHeader)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private Map<String, List<String>> requestCookies(URI uri) {
            try {
                return cookies.get(uri, Map.of());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static boolean onOAuthService(URI uri) {
            return uri.getPort() == RestAssured.port && uri.getPath() != null && uri.getPath().startsWith("/oauth/");
        }
    }

    /** RestAssured requests to oauth-service's /oauth/ paths come from the installer's browser: its cookies go along and are kept. */
    private static final class SameBrowser implements Filter {

        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext context) {
            URI uri = URI.create(request.getURI());
            if (!Browser.onOAuthService(uri)) {
                return context.next(request, response);
            }
            if (!request.getHeaders().hasHeaderWithName("Cookie") && request.getCookies().size() == 0) {
                List<String> cookies = INSTALLERS_BROWSER.requestCookies(uri).getOrDefault("Cookie", List.of());
                if (!cookies.isEmpty()) {
                    request.header("Cookie", String.join("; ", cookies));
                }
            }
            Response answer = context.next(request, response);
            answer.getHeaders().getValues("Set-Cookie").forEach(header -> INSTALLERS_BROWSER.setCookie(uri, header));
            return answer;
        }
    }
}
