package dev.polymux.console.operators;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.polymux.console.signin.service.SessionStore;
import dev.polymux.console.support.LocalSigningKey;
import dev.polymux.console.support.VaultForTheConsole;
import dev.polymux.console.web.Sessions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The operators' Keys page against the real vault-service: the platform's admins rotate; a tenant's admin gets vault's refusal. */
@QuarkusTest
@WithTestResource(LocalSigningKey.class)
@WithTestResource(VaultForTheConsole.class)
class KeysPageTest {

    private static final String ORIGIN = "http://localhost:18185";
    private static final Pattern COOKIE = Pattern.compile(Sessions.COOKIE + "=([A-Za-z0-9_-]{43});.*");
    private static final Pattern PRIMARY = Pattern.compile("id=\"primary-key\">(-?\\d+)<");

    @Inject
    SessionStore store;

    @Test
    void aPlatformAdminSeesTheKeysAndRotatesThem() {
        String admin = signIn("polymux", "ops", "admin");
        int before = primary(given().cookie(Sessions.COOKIE, admin).get("/integrations/operators/keys").then().statusCode(200)
                .body(containsString("Key-encryption keys")).body(containsString(">Keys</a>")).extract().asString());

        given().redirects().follow(false).cookie(Sessions.COOKIE, admin).header("Origin", ORIGIN)
                .formParam("csrf", store.find(admin).orElseThrow().csrf()).formParam("action", "rotate")
                .post("/integrations/operators/keys").then().statusCode(303).header("Location", containsString("done=rotated"));

        String after = given().cookie(Sessions.COOKIE, admin).get("/integrations/operators/keys?done=rotated").then().statusCode(200)
                .body(containsString("A new primary key")).extract().asString();
        assertNotEquals(before, primary(after), "a new primary key");
    }

    @Test
    void aTenantsAdminGetsVaultsRefusalAndNoForm() {
        String tenantAdmin = signIn("acme", "george", "admin");
        given().cookie(Sessions.COOKIE, tenantAdmin).get("/integrations/operators/keys").then().statusCode(200)
                .body(containsString("Only the platform&#39;s admins operate the key-encryption keys"))
                .body(not(containsString("name=\"action\"")));
    }

    @Test
    void rotatingNeedsTheSessionsCsrfValueAndItsOwnOrigin() {
        String admin = signIn("polymux", "ops", "admin");
        String csrf = store.find(admin).orElseThrow().csrf();
        given().redirects().follow(false).cookie(Sessions.COOKIE, admin).header("Origin", ORIGIN).formParam("action", "rotate")
                .post("/integrations/operators/keys").then().statusCode(403);
        given().redirects().follow(false).cookie(Sessions.COOKIE, admin).header("Origin", "https://evil.example").formParam("csrf", csrf)
                .formParam("action", "rotate").post("/integrations/operators/keys").then().statusCode(403);
        String installer = signIn("acme", "ivan", "installer");
        given().cookie(Sessions.COOKIE, installer).get("/integrations/publish").then().statusCode(200).body(not(containsString(">Keys</a>")));
    }

    private static int primary(String page) {
        Matcher found = PRIMARY.matcher(page);
        assertTrue(found.find(), page);
        return Integer.parseInt(found.group(1));
    }

    private static String signIn(String tenant, String subject, String... roles) {
        var request = given().redirects().follow(false).header("Origin", ORIGIN).formParam("tenant", tenant).formParam("subject", subject);
        for (String role : roles) {
            request = request.formParam("role", role);
        }
        Matcher cookie = COOKIE.matcher(request.post("/signin").header("Set-Cookie"));
        assertTrue(cookie.matches());
        return cookie.group(1);
    }
}
