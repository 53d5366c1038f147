package dev.polymux.console.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.polymux.console.support.BrowserJourney;
import dev.polymux.console.support.LocalSigningKey;
import dev.polymux.console.support.RegistryForTheConsole;
import dev.polymux.console.support.VaultForTheConsole;
import dev.polymux.testing.logging.LogCapture;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The second slice in a real browser against the real registry-service and vault-service (child processes trusting
 * the console's local signing key): an author publishes a plugin (approved by policy) and a new version whose inline
 * entry has a request block (it waits for a person); a reviewer of the platform tenant reads its findings and the
 * diff, is refused a rejection without a note, approves it; an installer of another tenant installs it, pastes a key,
 * sees only the vault's metadata and the installation turn active, and uninstalls. The key is in no page, cookie or
 * log line of the console. Screenshots: target/screenshots/review-install-*.png.
 */
@QuarkusTest
@WithTestResource(LocalSigningKey.class)
@WithTestResource(RegistryForTheConsole.class)
@WithTestResource(VaultForTheConsole.class)
class ReviewAndInstallBrowserTest extends BrowserJourney {

    private static final String PLUGIN_ID = "console-keys";
    private static final String V1 = """
            {"id":"console-keys","version":"1.0.0","label":"Console keys","description":"Keys kept with an API key.",
             "connections":[{"kind":"vault","key":"api_key","label":"Keys API key","required":true,
               "shape":{"kind":"single","field":"value","secret":true}}]}""";
    /** The same entry with a request block: where the key goes is for a person to confirm (builtin-request). */
    private static final String V2 = """
            {"id":"console-keys","version":"1.1.0","label":"Console keys","description":"Keys kept with an API key.",
             "connections":[{"kind":"vault","key":"api_key","label":"Keys API key","required":true,
               "shape":{"kind":"single","field":"value","secret":true},
               "request":{"baseUrl":"https://api.keys.example/v1","allowedHosts":["api.keys.example"],
                 "credential":[{"placement":"header","name":"X-Api-Key"}]}}]}""";
    private static final String OWN_ID = "console-own";
    private static final String OWN = V2.replace("console-keys", OWN_ID).replace("1.1.0", "1.0.0");
    private static final String SECRET = "sk_live_console_" + UUID.randomUUID().toString().replace("-", "");

    private final List<String> seen = new ArrayList<>();

    @Override
    protected String prefix() {
        return "review-install-";
    }

    @Test
    void aReviewerApprovesAPluginAndAnInstallerConnectsItWithAKey() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            try {
                journey();
            } catch (RuntimeException | AssertionError e) {
                chromium.keepFailure();
                throw e;
            }
            // Nothing of the key in any page the browser was shown, any cookie, or the console's log.
            for (String page : seen) {
                assertFalse(page.contains(SECRET), "the key in a page");
            }
            browser.manage().getCookies().forEach(c -> assertFalse(c.getValue().contains(SECRET), c.getName()));
            assertEquals(List.of(), log.linesContaining(SECRET), "the key in the console's log");
            assertEquals(List.of(), log.linesContaining("eyJ"), "a token in the console's log");
        }
    }

    private void journey() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // htmx swaps and page loads replace elements between a wait's polls: look again rather than fail.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);

        // An author publishes 1.0.0 (approved by policy), then 1.1.0 with a request block (it waits for a reviewer).
        signIn(wait, "acme", "ada", "author");
        assertEquals("approved", publish(wait, V1, PLUGIN_ID, "1.0.0"));
        assertEquals("in_review", publish(wait, V2, PLUGIN_ID, "1.1.0"));
        assertTrue(browser.findElements(By.linkText("Review")).isEmpty(), "no Review tab without the reviewer role");
        signOut(wait);

        // A reviewer of the platform tenant: the queue, the version's findings beside their lines, the diff.
        signIn(wait, "polymux", "rita", "author", "reviewer");
        browser.findElement(By.linkText("Review")).click();
        WebElement queue = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("review-queue")));
        assertTrue(queue.getText().contains(PLUGIN_ID) && queue.getText().contains("1.1.0"), queue.getText());
        screenshot("01-queue");
        queue.findElement(By.linkText("Console keys")).click();
        wait.until(ExpectedConditions.urlContains("/integrations/review/plugin/" + PLUGIN_ID + "/1.1.0"));
        String findings = browser.findElement(By.className("findings")).getText();
        assertTrue(findings.contains("builtin-request") && findings.contains("api.keys.example"), findings);
        List<WebElement> flagged = browser.findElements(By.cssSelector(".manifest li.flagged"));
        assertTrue(flagged.stream().anyMatch(l -> l.getText().contains("\"request\"") && l.getText().contains("a reviewer must confirm")),
                "the finding beside its line");
        WebElement diff = browser.findElement(By.id("diff"));
        assertTrue(diff.findElements(By.cssSelector("tr.added")).stream().anyMatch(r -> r.getText().contains("api.keys.example")), diff.getText());
        assertTrue(diff.findElements(By.cssSelector("tr.removed")).stream().anyMatch(r -> r.getText().contains("1.0.0")), diff.getText());
        assertTrue(browser.findElement(By.id("main")).getText().contains("Changes since 1.0.0"));
        screenshot("02-review-listing");

        // A rejection needs a note: the registry's sentence, on the same page.
        browser.findElement(By.id("reject")).click();
        WebElement refused = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("decision-problem")));
        assertFalse(refused.getText().isBlank());
        assertTrue(browser.getCurrentUrl().contains("/integrations/review/plugin/" + PLUGIN_ID + "/1.1.0"));
        screenshot("03-reject-without-note");
        browser.findElement(By.id("note")).sendKeys("The hosts are the provider's.");
        browser.findElement(By.id("approve")).click();
        WebElement decided = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("decided")));
        assertTrue(decided.getText().contains("Approved") && decided.getText().contains(PLUGIN_ID + "@1.1.0"), decided.getText());
        assertTrue(browser.findElements(By.cssSelector("#review-queue a[href$='/" + PLUGIN_ID + "/1.1.0']")).isEmpty(), "no longer waiting");
        screenshot("04-approved");

        // Nobody decides on their own listing: the registry's 403 sentence, on the review page.
        assertEquals("in_review", publish(wait, OWN, OWN_ID, "1.0.0"));
        browser.get(url("/integrations/review/plugin/" + OWN_ID + "/1.0.0"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approve"))).click();
        WebElement own = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("decision-problem")));
        assertTrue(own.getText().contains("another reviewer"), own.getText());
        assertTrue(browser.getCurrentUrl().contains("/integrations/review/plugin/" + OWN_ID + "/1.0.0"));
        screenshot("04b-own-listing-refused");
        signOut(wait);

        // An installer of another tenant installs it from its marketplace page.
        signIn(wait, "globex", "ivan", "installer");
        browser.get(url("/integrations/marketplace/plugins/" + PLUGIN_ID));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("install"))).click();
        wait.until(ExpectedConditions.urlContains("/integrations/installations"));
        WebElement card = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#plugin-" + PLUGIN_ID + " .card")));
        String installation = card.getAttribute("id").substring("connection-".length());
        assertEquals("vault", card.findElement(By.className("kind-vault")).getText());
        WebElement secret = card.findElement(By.cssSelector("input[type=password]"));
        // Not "off", which browsers ignore for passwords: they would offer to save the key and fill it into another card.
        assertEquals("new-password", secret.getAttribute("autocomplete"), "a pasted key is not the console's password");
        assertEquals("", secret.getAttribute("value"));
        assertEquals("Keys API key", card.findElement(By.tagName("h3")).getText());
        screenshot("05-installed");

        // Paste the key; right after install the vault may not know the installation yet: its sentence, then again.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            WebElement input = browser.findElement(By.cssSelector("#connection-" + installation + " input[type=password]"));
            input.sendKeys(SECRET);
            browser.findElement(By.cssSelector("#connection-" + installation + " form button[type=submit]")).click();
            wait.until(d -> d.getCurrentUrl().contains("stored=") || !d.findElements(By.id("problem-" + installation)).isEmpty());
            seen.add(browser.getPageSource());
            if (browser.getCurrentUrl().contains("stored=")) {
                break;
            }
            String sentence = browser.findElement(By.id("problem-" + installation)).getText();
            assertFalse(sentence.isBlank());
            assertEquals("", browser.findElement(By.cssSelector("#connection-" + installation + " input[type=password]")).getAttribute("value"),
                    "a refused value is not put back into the form");
            screenshot("06-vault-not-ready");
            assertTrue(System.nanoTime() < deadline, "the vault kept refusing: " + sentence);
            Thread.sleep(1000);
            browser.get(url("/integrations/installations"));
        }
        WebElement stored = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("stored-" + installation)));
        assertTrue(stored.getText().contains("Stored on") && stored.getText().contains("by ivan") && stored.getText().contains("fingerprint sha256:"),
                stored.getText());
        screenshot("07-stored");

        // The status comes from the services' events: the pending card's status line asks again by itself (htmx
        // polling) until it is active, without a reload.
        String pageBefore = browser.getCurrentUrl();
        new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBe(By.id("status-" + installation), "active"));
        assertEquals(pageBefore, browser.getCurrentUrl(), "the page was not reloaded");
        assertEquals(List.of(), browser.findElements(By.cssSelector("#status-line-" + installation + "[hx-trigger]")), "still polling once active");
        seen.add(browser.getPageSource());
        screenshot("08-active");

        // A narrow window: one column, nothing cut off.
        browser.manage().window().setSize(new Dimension(390, 900));
        browser.navigate().refresh();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("status-" + installation)));
        Long scrollWidth = (Long) browser.executeScript("return document.documentElement.scrollWidth");
        Long clientWidth = (Long) browser.executeScript("return document.documentElement.clientWidth");
        assertTrue(scrollWidth <= clientWidth, "no horizontal scrolling on a narrow window: " + scrollWidth + " > " + clientWidth);
        screenshot("09-installations-narrow");
        browser.manage().window().setSize(new Dimension(1280, 1000));

        // Uninstall: every connection revoked.
        browser.findElement(By.id("uninstall-" + PLUGIN_ID)).click();
        // The page before had a notice of its own ("Stored ..."): wait for the new page's, found afresh at each poll.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Uninstalled " + PLUGIN_ID));
        assertEquals("revoked", browser.findElement(By.id("status-" + installation)).getText());
        assertTrue(browser.findElements(By.id("uninstall-" + PLUGIN_ID)).isEmpty());
        seen.add(browser.getPageSource());
        screenshot("10-uninstalled");
        assertFalse(browser.getPageSource().contains("eyJ"), "no token in a page");
    }

    private void signOut(WebDriverWait wait) {
        browser.findElement(By.cssSelector("form.signout button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/signin"));
    }

    /** Saves and submits a plugin manifest through the Publish form; the listing's state. */
    private String publish(WebDriverWait wait, String manifest, String id, String version) {
        browser.get(url("/integrations/publish"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("manifest")));
        browser.findElement(By.id("type-plugin")).click();
        browser.executeScript("arguments[0].value = arguments[1]", browser.findElement(By.id("manifest")), manifest);
        browser.findElement(By.id("submit")).click();
        wait.until(ExpectedConditions.urlContains("/integrations/publish/plugin/" + id + "/" + version));
        return browser.findElement(By.id("listing-state")).getText();
    }
}
