package dev.polymux.console.signin;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.polymux.console.support.BrowserJourney;
import dev.polymux.console.support.PlatformIssuer;
import dev.polymux.console.support.RegistryTrustingTheIssuer;
import dev.polymux.console.signin.service.SignInBinding;
import dev.polymux.console.web.Sessions;
import dev.polymux.testing.logging.LogCapture;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Production sign-in in a real browser: the code flow with PKCE against a real OpenID Connect server (the platform's
 * issuer, mock-oauth2-server), the person's access token used with the real registry-service, which trusts that
 * issuer; tokens of a few seconds renewed by the console with the refresh token; no token in a cookie, a page or the
 * log; a person without a tenant is told so; a return to a sign-in another browser started signs nobody in. Screenshots: target/screenshots/oidc-*.png.
 */
@QuarkusTest
@WithTestResource(PlatformIssuer.class)
@WithTestResource(RegistryTrustingTheIssuer.class)
class OidcSignInBrowserTest extends BrowserJourney {

    @Override
    protected String prefix() {
        return "oidc-";
    }

    @BeforeEach
    void signedOut() {
        browser.get(url("/signin"));
        browser.manage().deleteAllCookies();
    }

    @Test
    void aPersonSignsInAtTheIssuerAndStaysSignedInAsTheTokenIsRenewed() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            try {
                WebDriverWait wait = wait(20);
                signInWithTheIssuer(wait);
                wait.until(ExpectedConditions.urlContains("/integrations/marketplace"));
                assertEquals(PlatformIssuer.SUBJECT + " · " + PlatformIssuer.TENANT, browser.findElement(By.cssSelector(".who")).getText());
                String nav = browser.findElement(By.cssSelector("nav")).getText();
                assertTrue(nav.contains("Installations") && nav.contains("Publish"), "the issuer's groups are the tabs: " + nav);
                assertFalse(nav.contains("Review") || nav.contains("Keys"), "roles the token does not carry: " + nav);
                chromium.screenshot("01-signed-in");

                // The registry sees the person's own token and accepts it (an alert would carry its refusal).
                seeTheInstallationsWithoutAProblem();
                Set<String> cookieValues = cookies().values().stream().collect(Collectors.toSet());
                assertTrue(cookies().containsKey(Sessions.COOKIE), "no session cookie: " + cookies().keySet());
                for (String value : cookieValues) {
                    assertFalse(value.contains("eyJ"), "a token in a cookie");
                }
                // quarkus-oidc's own session cookie holds the console's marker, not the tokens (encrypted or not).
                cookies().forEach((name, value) -> {
                    if (name.startsWith("q_session")) {
                        assertEquals("console-session", value, name);
                    }
                });
                assertFalse(browser.getPageSource().contains("eyJ"), "a token in a page");

                // The access token lasts a few seconds: past it, pages still work because the console renewed it.
                Thread.sleep(Duration.ofSeconds(PlatformIssuer.TOKEN_SECONDS + 2));
                seeTheInstallationsWithoutAProblem();
                Thread.sleep(Duration.ofSeconds(PlatformIssuer.TOKEN_SECONDS + 2));
                seeTheInstallationsWithoutAProblem();
                assertEquals(PlatformIssuer.SUBJECT + " · " + PlatformIssuer.TENANT, browser.findElement(By.cssSelector(".who")).getText());
                chromium.screenshot("02-after-renewal");

                browser.findElement(By.cssSelector("form.signout button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("signin-oidc")));
                browser.get(url("/integrations/installations"));
                wait.until(ExpectedConditions.urlContains("/signin"));
            } catch (RuntimeException | AssertionError e) {
                chromium.keepFailure();
                throw e;
            }
            assertEquals(List.of(), log.linesContaining("eyJ"), "a token in the console's log");
            assertEquals(List.of(), log.linesContaining("refresh_token"), "a refresh request in the console's log");
            assertEquals(List.of(), log.linesContaining("code="), "an authorization code in the console's log");
        }
    }

    /**
     * Login CSRF: an attacker starts a sign-in of their own and stops at the return (their code and state), then
     * sends a victim there with their state cookie planted (a sibling subdomain can set quarkus-oidc's cookies, not
     * {@code __Host-} ones). The victim must not be signed in as the attacker; the browser that started it is.
     */
    @Test
    void aReturnFromASignInThisBrowserDidNotStartSignsNobodyIn() {
        Attempt attacker = startAndStopAtTheReturn();
        io.restassured.response.Response victim = given().urlEncodingEnabled(false).redirects().follow(false).cookies(attacker.stateCookies()).get(attacker.callback());
        assertEquals(403, victim.statusCode(), victim.asString());
        assertTrue(victim.asString().contains("not started in this browser"), victim.asString());
        assertFalse(sessionCookieSet(victim), "the victim was signed in as the attacker");

        Attempt own = startAndStopAtTheReturn();
        Map<String, String> withTheBinding = new java.util.HashMap<>(own.stateCookies());
        withTheBinding.put(SignInBinding.COOKIE, own.binding());
        io.restassured.response.Response signedIn = given().urlEncodingEnabled(false).redirects().follow(false).cookies(withTheBinding).get(own.callback());
        assertEquals(200, signedIn.statusCode(), signedIn.asString());
        assertTrue(sessionCookieSet(signedIn), "the browser that started the sign-in is signed in");
    }

    /** A sign-in started without cookies, followed through the issuer up to (not into) the return to the console. */
    private Attempt startAndStopAtTheReturn() {
        io.restassured.response.Response start = given().redirects().follow(false).get(url("/signin/oidc"));
        assertEquals(302, start.statusCode(), start.asString());
        Map<String, String> state = new java.util.HashMap<>(start.getCookies());
        String binding = state.remove(SignInBinding.COOKIE);
        assertTrue(binding != null && !binding.isEmpty(), "no binding cookie on the way to the issuer: " + start.getHeaders());
        // The address is encoded already: rest-assured must not encode it again.
        io.restassured.response.Response issuer = given().urlEncodingEnabled(false).redirects().follow(false).get(start.header("Location"));
        assertEquals(302, issuer.statusCode(), issuer.asString());
        String callback = issuer.header("Location");
        assertTrue(callback.startsWith(url("/signin/oidc?")) && callback.contains("code="), callback);
        return new Attempt(callback, state, binding);
    }

    private record Attempt(String callback, Map<String, String> stateCookies, String binding) {
    }

    private static boolean sessionCookieSet(io.restassured.response.Response response) {
        return response.headers().getValues("Set-Cookie").stream().anyMatch(c -> c.startsWith(Sessions.COOKIE + "=") && !c.startsWith(Sessions.COOKIE + "=;"));
    }

    @Test
    void aPersonWithoutATenantIsToldSoAndNotSignedIn() throws Exception {
        PlatformIssuer.server().enqueueCallback(PlatformIssuer.person("nobody", Map.of("groups", List.of("author"))));
        WebDriverWait wait = wait(20);
        signInWithTheIssuer(wait);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("signin-problem")));
        assertTrue(browser.findElement(By.id("signin-problem")).getText().contains("Your account has no tenant"),
                browser.findElement(By.id("signin-problem")).getText());
        chromium.screenshot("03-no-tenant");
        assertFalse(cookies().containsKey(Sessions.COOKIE), "signed in without a tenant");
        browser.get(url("/integrations/installations"));
        wait.until(ExpectedConditions.urlContains("/signin"));
    }

    private void signInWithTheIssuer(WebDriverWait wait) {
        browser.get(url("/signin"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("signin-oidc"))).click();
    }

    private void seeTheInstallationsWithoutAProblem() {
        browser.get(url("/integrations/installations"));
        wait(20).until(ExpectedConditions.presenceOfElementLocated(By.tagName("h1")));
        assertEquals("Installations", browser.findElement(By.tagName("h1")).getText(), browser.getCurrentUrl());
        assertEquals(List.of(), browser.findElements(By.cssSelector(".alert")).stream().map(e -> e.getText()).toList(), "a refusal on the page");
    }

    private Map<String, String> cookies() {
        return browser.manage().getCookies().stream().collect(Collectors.toMap(Cookie::getName, Cookie::getValue, (a, b) -> a));
    }

    private WebDriverWait wait(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }
}
