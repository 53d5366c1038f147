package dev.polymux.console.journey;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.polymux.connector.builtin.mqtt.MosquittoBroker;
import dev.polymux.console.support.BrowserJourney;
import dev.polymux.console.support.AuthorizationServerForTheConsole;
import dev.polymux.console.support.LocalSigningKey;
import dev.polymux.console.support.OAuthForTheConsole;
import dev.polymux.console.support.RegistryForTheConsole;
import dev.polymux.console.support.VaultForTheConsole;
import dev.polymux.testing.logging.LogCapture;
import dev.polymux.testing.service.RegistryServiceChild;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The third slice in a real browser against the real registry-service, vault-service and oauth-service (child processes
 * trusting the console's local signing key) and a real authorization server (mock-oauth2-server, its login page): an
 * installer installs a plugin with an OAuth connection and an integration, presses Connect, signs in at the provider,
 * comes back to the console with its sentence and sees the connection turn active (then Reconnect); a forged return
 * sentence is shown as text only; the integration's setup step is a form from its schema, and its check's sentence
 * shows on the card; uninstalling revokes both. No token in the console's log. Screenshots: target/screenshots/connect-*.png.
 */
@QuarkusTest
@WithTestResource(LocalSigningKey.class)
@WithTestResource(AuthorizationServerForTheConsole.class)
@WithTestResource(RegistryForTheConsole.class)
@WithTestResource(VaultForTheConsole.class)
@WithTestResource(OAuthForTheConsole.class)
class ConnectBrowserTest extends BrowserJourney {

    private static final String PLUGIN_ID = "console-acme-notes";
    private static final String BROKER_PASSWORD = "mqtt-pass-console-test-7f3a";

    private final List<String> seen = new ArrayList<>();

    @Override
    protected String prefix() {
        return "connect-";
    }

    @Test
    void anInstallerConnectsThroughTheProviderAndRunsASetupStep() throws Exception {
        publish();
        try (LogCapture log = LogCapture.start()) {
            try {
                journey();
            } catch (RuntimeException | AssertionError e) {
                chromium.keepFailure();
                throw e;
            }
            for (String page : seen) {
                assertFalse(page.contains(BROKER_PASSWORD) || page.contains(MosquittoBroker.PASSWORD), "a setup value in a page");
            }
            assertEquals(List.of(), log.linesContaining(BROKER_PASSWORD), "a setup value in the console's log");
            assertEquals(List.of(), log.linesContaining(MosquittoBroker.PASSWORD), "a setup value in the console's log");
            assertEquals(List.of(), log.linesContaining("eyJ"), "a token in the console's log");
        }
    }

    private void journey() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // htmx swaps and page loads replace elements between a wait's polls: look again rather than fail.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        signIn(wait, "initech", "ivan", "installer");
        browser.get(url("/integrations/marketplace/plugins/" + PLUGIN_ID));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("install"))).click();
        wait.until(ExpectedConditions.urlContains("/integrations/installations"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#plugin-" + PLUGIN_ID + " .card")));
        String oauth = cardId(".kind-oauth");
        String integration = cardId(".kind-integration");
        assertEquals("Connect", browser.findElement(By.id("connect-" + oauth)).getText());
        screenshot("01-installed");

        // Connect: right after install oauth-service may not know the installation yet (its sentence); then the provider.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            browser.findElement(By.id("connect-" + oauth)).click();
            wait.until(d -> !d.getCurrentUrl().startsWith(url("/integrations/installations")) || !d.findElements(By.id("problem-" + oauth)).isEmpty());
            if (!browser.getCurrentUrl().startsWith(url("/integrations/installations"))) {
                break;
            }
            String sentence = browser.findElement(By.id("problem-" + oauth)).getText();
            assertTrue(System.nanoTime() < deadline, "oauth-service kept refusing: " + sentence);
            Thread.sleep(1000);
            browser.get(url("/integrations/installations"));
        }
        // mock-oauth2-server's login page: any user name signs in.
        WebElement username = wait.until(ExpectedConditions.presenceOfElementLocated(By.name("username")));
        screenshot("02-provider-login");
        username.sendKeys("ivan@initech");
        browser.findElement(By.cssSelector("input[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/integrations/installations?polymux_status="));
        assertTrue(browser.getCurrentUrl().startsWith(url("/integrations/installations")), browser.getCurrentUrl());
        assertTrue(browser.getCurrentUrl().contains("polymux_status=connected"), browser.getCurrentUrl());
        WebElement connected = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice-" + oauth)));
        assertFalse(connected.getText().isBlank());
        seen.add(browser.getPageSource());
        screenshot("03-back-connected");

        // The status is the registry's, from oauth-service's event: the pending card's status updates by itself
        // (htmx polling, no reload); reloaded, the card says Reconnect.
        new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBe(By.id("status-" + oauth), "active"));
        browser.get(url("/integrations/installations"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("connect-" + oauth)));
        assertEquals("Reconnect", browser.findElement(By.id("connect-" + oauth)).getText());
        screenshot("04-active");

        // Anyone can make a return link: its sentence is text, never markup.
        browser.get(url("/integrations/installations?polymux_status=failed&installation=" + oauth + "&message="
                + URLEncoder.encode("<b id=\"injected\">Call us</b>", StandardCharsets.UTF_8)));
        WebElement forged = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("problem-" + oauth)));
        assertTrue(forged.getText().contains("<b id=\"injected\">Call us</b>"), forged.getText());
        assertTrue(browser.findElements(By.id("injected")).isEmpty(), "the return sentence became markup");
        assertEquals("active", browser.findElement(By.id("status-" + oauth)).getText());

        // The integration's setup step: a form from its schema (here the whole shape), its check's sentence on the card.
        String step = "test-connection";
        for (int i = 0; i < 60 && browser.findElements(By.id("check-" + integration + "-" + step)).isEmpty(); i++) {
            Thread.sleep(1000);
            browser.get(url("/integrations/installations"));
        }
        WebElement password = browser.findElement(By.id(integration + "-" + step + "-password"));
        assertEquals("password", password.getAttribute("type"));
        assertEquals("new-password", password.getAttribute("autocomplete"), "a setup secret is not the console's password");
        assertEquals("text", browser.findElement(By.id(integration + "-" + step + "-broker_url")).getAttribute("type"));
        assertEquals("pending", browser.findElement(By.id("step-state-" + integration + "-" + step)).getText());
        browser.findElement(By.id(integration + "-" + step + "-broker_url")).sendKeys("mqtt://127.0.0.1:1");
        browser.findElement(By.id(integration + "-" + step + "-username")).sendKeys("ivan");
        password.sendKeys(BROKER_PASSWORD);
        browser.findElement(By.id("check-" + integration + "-" + step)).click();
        WebElement refused = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("problem-" + integration)));
        assertFalse(refused.getText().isBlank());
        assertFalse(refused.getText().contains(BROKER_PASSWORD));
        assertEquals("failed", browser.findElement(By.id("step-state-" + integration + "-" + step)).getText());
        assertEquals("", browser.findElement(By.id(integration + "-" + step + "-password")).getAttribute("value"), "a value is never filled back");
        assertEquals("pending", browser.findElement(By.id("status-" + integration)).getText());
        seen.add(browser.getPageSource());
        screenshot("05-setup-step-failed");

        // Against a real broker with the right password the check passes, setup is complete, and the connection
        // turns active by itself (its status line polls).
        Path brokerDir = Files.createTempDirectory("console-mqtt");
        try (MosquittoBroker broker = MosquittoBroker.start(brokerDir)) {
            browser.findElement(By.id(integration + "-" + step + "-broker_url")).sendKeys(broker.url());
            browser.findElement(By.id(integration + "-" + step + "-username")).sendKeys(MosquittoBroker.USER);
            browser.findElement(By.id(integration + "-" + step + "-password")).sendKeys(MosquittoBroker.PASSWORD);
            browser.findElement(By.id("check-" + integration + "-" + step)).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setup-complete-" + integration)));
            assertEquals("passed", browser.findElement(By.id("step-state-" + integration + "-" + step)).getText());
            assertTrue(browser.findElements(By.id("problem-" + integration)).isEmpty(), "a problem beside a passed check");
            new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(ExpectedConditions.textToBe(By.id("status-" + integration), "active"));
            seen.add(browser.getPageSource());
            screenshot("06-setup-step-passed");
        }

        // Uninstall: both revoked, nothing left to connect.
        browser.findElement(By.id("uninstall-" + PLUGIN_ID)).click();
        // The page before may have had a notice of its own: wait for the new page's, found afresh at each poll.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Uninstalled " + PLUGIN_ID));
        assertEquals("revoked", browser.findElement(By.id("status-" + oauth)).getText());
        assertEquals("revoked", browser.findElement(By.id("status-" + integration)).getText());
        assertTrue(browser.findElements(By.id("connect-" + oauth)).isEmpty());
        assertTrue(browser.findElements(By.id("steps-" + integration)).isEmpty());
        seen.add(browser.getPageSource());
        screenshot("07-uninstalled");
        assertFalse(browser.getPageSource().contains("eyJ"), "no token in a page");
    }

    private String cardId(String kindBadge) {
        WebElement card = browser.findElement(By.xpath("//section[@id='plugin-" + PLUGIN_ID + "']//li[contains(@class,'card')][.//span[contains(@class,'"
                + kindBadge.substring(1) + "')]]"));
        return card.getAttribute("id").substring("connection-".length());
    }

    /** The authorization-code connector at the test's authorization server (approved by a reviewer) and a plugin using it and mqtt. */
    private static void publish() {
        String author = LocalSigningKey.bearer("acme", "ada", "author");
        String connector = """
                {"type":"connection","manifest":{"id":"%s","version":"1.0.0","label":"Acme (console test)","kind":"oauth",
                 "description":"Acme's API through its OAuth consent.",
                 "auth":{"authorizationUrl":"%s","tokenUrl":"%s","scopes":["openid","read"],"defaultScopes":["openid"],"pkce":true},
                 "tools":[{"name":"whoami","description":"Who the token belongs to.","input":{"type":"object","properties":{}},
                   "http":{"method":"GET","url":"http://localhost:1/whoami","credential":{"placement":"bearer"},"successCodes":[200]}}],
                 "allowedHosts":["localhost"]}}""".formatted(OAuthForTheConsole.CONNECTOR, AuthorizationServerForTheConsole.authorizationUrl(),
                AuthorizationServerForTheConsole.tokenUrl());
        given().port(RegistryServiceChild.port).header("Authorization", author).contentType(ContentType.JSON).body(connector)
                .post("/tenants/acme/listings").then().statusCode(201);
        given().port(RegistryServiceChild.port).header("Authorization", author)
                .post("/tenants/acme/listings/connection/" + OAuthForTheConsole.CONNECTOR + "/versions/1.0.0/submit").then().statusCode(200);
        given().port(RegistryServiceChild.port).header("Authorization", LocalSigningKey.bearer("polymux", "rita", "reviewer"))
                .contentType(ContentType.JSON).body("{\"note\":\"Test connector.\"}")
                .post("/reviews/listings/connection/" + OAuthForTheConsole.CONNECTOR + "/versions/1.0.0/approve").then().statusCode(200);
        String plugin = """
                {"type":"plugin","manifest":{"id":"%s","version":"1.0.0","label":"Acme notes","description":"Notes at Acme, and a broker.",
                 "connections":[{"kind":"oauth","key":"acme","label":"Acme account","connector":"%s","scopes":["read"]},
                   {"kind":"integration","key":"broker","label":"Broker","connector":"mqtt"}]}}""".formatted(PLUGIN_ID, OAuthForTheConsole.CONNECTOR);
        given().port(RegistryServiceChild.port).header("Authorization", author).contentType(ContentType.JSON).body(plugin)
                .post("/tenants/acme/listings").then().statusCode(201);
        String state = given().port(RegistryServiceChild.port).header("Authorization", author)
                .post("/tenants/acme/listings/plugin/" + PLUGIN_ID + "/versions/1.0.0/submit").then().statusCode(200).extract().path("state");
        if ("in_review".equals(state)) {
            given().port(RegistryServiceChild.port).header("Authorization", LocalSigningKey.bearer("polymux", "rita", "reviewer"))
                    .contentType(ContentType.JSON).body("{\"note\":\"Test plugin.\"}")
                    .post("/reviews/listings/plugin/" + PLUGIN_ID + "/versions/1.0.0/approve").then().statusCode(200);
        }
    }
}
