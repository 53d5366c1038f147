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
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The console in a real browser (Debian's chromium, headless, through chromedriver) against the real registry-service:
 * an author signs in, publishes a plugin, sees it in their listings, finds it in the marketplace, and opens an in-tree
 * connector's page. A screenshot of each page goes to target/screenshots/.
 */
@QuarkusTest
@WithTestResource(LocalSigningKey.class)
@WithTestResource(RegistryForTheConsole.class)
class ConsoleJourneyBrowserTest extends BrowserJourney {

    private static final String PLUGIN_ID = "console-notes";
    private static final String PLUGIN = """
            {"id":"console-notes","version":"1.0.0","label":"Console notes","description":"Notes kept with an API key.",
             "connections":[{"kind":"vault","key":"api_key","label":"Notes API key","required":true,
               "shape":{"kind":"single","field":"value","secret":true}}]}""";

    private static final String DRAFT_ID = "console-draft-notes";
    private static final String DRAFT_PLUGIN = """
            {"id":"console-draft-notes","version":"1.0.0","label":"Draft notes","description":"Notes, drafted first.",
             "connections":[{"kind":"vault","key":"api_key","label":"Notes API key","required":true,
               "shape":{"kind":"single","field":"value","secret":true}}]}""";

    /** A connection entry without its label and with a shape of no known kind. */
    private static final String INVALID_PLUGIN = """
            {"id":"console-broken","version":"1.0.0","label":"Broken","connections":[{"kind":"vault","key":"api_key","shape":{"kind":"quad"}}]}""";

    @Override
    protected String prefix() {
        return "journey-";
    }

    @Test
    void anAuthorPublishesAPluginAndFindsItInTheMarketplace() throws IOException {
        try {
            journey();
        } catch (RuntimeException | AssertionError e) { // what the browser showed, for whoever reads the failure
            chromium.keepFailure();
            throw e;
        }
    }

    /** Publish's "fix" for a draft: its page edits the manifest in place (refusals keep the text), then submits it. */
    @Test
    void anAuthorEditsADraftAndSubmitsIt() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        try {
            browser.get(url("/signin"));
            WebElement tenant = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("tenant")));
            tenant.clear();
            tenant.sendKeys("acme");
            browser.findElement(By.id("subject")).sendKeys("ada");
            browser.findElement(By.cssSelector("form[action='/signin'] button[type=submit]")).click();
            wait.until(ExpectedConditions.urlContains("/integrations/marketplace"));

            browser.get(url("/integrations/publish"));
            browser.findElement(By.id("type-plugin")).click();
            browser.findElement(By.id("manifest")).sendKeys(DRAFT_PLUGIN);
            browser.findElement(By.cssSelector("button[value=draft]")).click();
            wait.until(ExpectedConditions.urlContains("/integrations/publish/plugin/" + DRAFT_ID + "/1.0.0"));
            assertEquals("draft", browser.findElement(By.id("listing-state")).getText());
            WebElement text = browser.findElement(By.id("draft-manifest"));
            assertTrue(text.getAttribute("value").contains("\"label\" : \"Draft notes\""), "the stored manifest, pretty-printed, to edit");

            // Not JSON: the sentence, and the text kept to fix.
            text.clear();
            text.sendKeys("{\"id\": \"" + DRAFT_ID + "\",");
            browser.findElement(By.id("save-draft")).click();
            WebElement refused = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("listing-problem")));
            assertTrue(refused.getText().contains("not valid JSON"), refused.getText());
            assertTrue(browser.findElement(By.id("draft-manifest")).getAttribute("value").startsWith("{\"id\""), "the edited text is kept");
            screenshot("11-draft-edit-refused");

            // Fixed: saved, the page shows the new label; then saved and submitted in one step.
            text = browser.findElement(By.id("draft-manifest"));
            text.clear();
            text.sendKeys(DRAFT_PLUGIN.replace("Draft notes", "Edited notes"));
            browser.findElement(By.id("save-draft")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Edited notes"));
            assertEquals("draft", browser.findElement(By.id("listing-state")).getText());
            browser.findElement(By.id("save-and-submit")).click();
            wait.until(ExpectedConditions.not(ExpectedConditions.textToBe(By.id("listing-state"), "draft")));
            String state = browser.findElement(By.id("listing-state")).getText();
            assertTrue(List.of("approved", "in_review").contains(state), "state: " + state);
            assertTrue(browser.findElements(By.id("draft-manifest")).isEmpty(), "only a draft is edited");
            screenshot("12-draft-edited-and-submitted");
        } catch (RuntimeException | AssertionError e) {
            chromium.keepFailure();
            throw e;
        }
    }

    private void journey() throws IOException {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // htmx swaps and page loads replace elements between a wait's polls: look again rather than fail.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);

        // Sign in as an author.
        browser.get(url("/signin"));
        screenshot("01-sign-in");
        WebElement tenant = browser.findElement(By.id("tenant"));
        tenant.clear();
        tenant.sendKeys("acme");
        browser.findElement(By.id("subject")).sendKeys("ada");
        assertTrue(browser.findElement(By.id("role-author")).isSelected(), "author is picked by default");
        browser.findElement(By.cssSelector("form[action='/signin'] button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/integrations/marketplace"));
        assertTrue(browser.findElement(By.className("who")).getText().contains("ada · acme"));
        assertTrue(browser.manage().getCookieNamed(dev.polymux.console.web.Sessions.COOKIE).isHttpOnly());
        screenshot("02-marketplace-connections");

        // Publish a plugin: save and submit.
        browser.findElement(By.linkText("Publish")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("manifest")));
        browser.findElement(By.id("type-plugin")).click();
        // First a manifest the registry refuses: its sentence and the JSON pointer of what is wrong, kept to fix.
        browser.findElement(By.id("manifest")).sendKeys(INVALID_PLUGIN);
        browser.findElement(By.id("submit")).click();
        WebElement refused = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("publish-problem")));
        assertTrue(refused.findElements(By.tagName("code")).stream().anyMatch(c -> c.getText().startsWith("/connections/0")), refused.getText());
        assertTrue(browser.findElement(By.id("type-plugin")).isSelected());
        screenshot("03-publish-refused");
        WebElement manifest = browser.findElement(By.id("manifest"));
        assertTrue(manifest.getAttribute("value").contains("\"kind\":\"vault\""), "the pasted text is kept to fix");
        manifest.clear();
        manifest.sendKeys(PLUGIN);
        screenshot("04-publish-form");
        browser.findElement(By.id("submit")).click();
        wait.until(ExpectedConditions.urlContains("/integrations/publish/plugin/" + PLUGIN_ID + "/1.0.0"));
        String state = browser.findElement(By.id("listing-state")).getText();
        assertTrue(List.of("approved", "in_review").contains(state), "state: " + state);
        screenshot("05-published-plugin");

        // The author's listings show it with its state.
        browser.findElement(By.linkText("Publish")).click();
        WebElement mine = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("my-listings")));
        assertTrue(mine.getText().contains(PLUGIN_ID), mine.getText());
        assertTrue(mine.getText().contains(state), mine.getText());
        screenshot("06-my-listings");

        // The marketplace's Plugins tab (htmx swaps the panel), search as you type.
        assertEquals("approved", state, "an inline vault entry without a request block passes the checks: approved by policy");
        browser.findElement(By.linkText("Marketplace")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("q")));
        browser.findElement(By.linkText("Plugins")).click();
        wait.until(ExpectedConditions.attributeToBe(By.linkText("Plugins"), "aria-current", "page"));
        wait.until(ExpectedConditions.urlContains("tab=plugins"));
        browser.findElement(By.id("q")).sendKeys("notes");
        wait.until(ExpectedConditions.urlContains("q=notes"));
        WebElement found = wait.until(ExpectedConditions.presenceOfElementLocated(By.linkText("Console notes")));
        screenshot("07-marketplace-plugins-search");
        found.click();
        wait.until(ExpectedConditions.urlContains("/integrations/marketplace/plugins/" + PLUGIN_ID));
        assertTrue(browser.findElement(By.id("main")).getText().contains("Notes API key"));
        screenshot("08-plugin");

        // An in-tree connector's page: kind, tools and their input, scopes, review.
        browser.get(url("/integrations/marketplace?tab=connections&kind=oauth"));
        WebElement github = wait.until(ExpectedConditions.presenceOfElementLocated(By.linkText("GitHub")));
        github.click();
        wait.until(ExpectedConditions.urlContains("/integrations/marketplace/connectors/github"));
        String page = browser.findElement(By.id("main")).getText();
        for (String expected : List.of("oauth", "get_repository", "create_issue", "owner", "read:user", "approved")) {
            assertTrue(page.contains(expected), expected + " on the connector page:\n" + page);
        }
        screenshot("09-connector-github");

        // A narrow window: one column, nothing cut off.
        browser.manage().window().setSize(new Dimension(390, 900));
        browser.get(url("/integrations/marketplace"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("q")));
        Long scrollWidth = (Long) browser.executeScript("return document.documentElement.scrollWidth");
        Long clientWidth = (Long) browser.executeScript("return document.documentElement.clientWidth");
        assertTrue(scrollWidth <= clientWidth, "no horizontal scrolling on a narrow window: " + scrollWidth + " > " + clientWidth);
        screenshot("10-marketplace-narrow");
        browser.manage().window().setSize(new Dimension(1280, 1000));

        // Nothing of the token reached the browser.
        assertFalse(browser.getPageSource().contains("eyJ"));
        browser.manage().getCookies().forEach(c -> assertFalse(c.getValue().contains("eyJ"), c.getName()));

        // Signed out, nothing of the session's pages stays in the browser's storage (htmx keeps snapshots of pushed
        // pages, with the session's csrf value and what it saw, unless told not to).
        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        wait.until(ExpectedConditions.urlContains("/signin"));
        assertEquals(null, browser.executeScript("return window.sessionStorage.getItem('htmx-history-cache')"),
                "a snapshot of a signed-in page outlived the session");
    }
}
