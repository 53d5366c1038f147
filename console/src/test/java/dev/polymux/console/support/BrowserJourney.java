package dev.polymux.console.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;

/**
 * What every browser test class shares: one chromium for the class (started before its first test, closed after its
 * last), the console's address, screenshots named with the class's prefix, and the local sign-in form.
 */
public abstract class BrowserJourney {

    protected static ConsoleBrowser chromium;
    protected static ChromeDriver browser;

    @TestHTTPResource("/")
    protected URL console;

    /** This class's prefix for its screenshots and driver log, e.g. "connect-". */
    protected abstract String prefix();

    @BeforeEach
    void startTheBrowser() throws IOException {
        if (chromium == null) {
            chromium = ConsoleBrowser.start(prefix());
            browser = chromium.driver();
        }
    }

    @AfterAll
    static void stopTheBrowser() throws IOException {
        if (chromium != null) {
            chromium.close();
            chromium = null;
            browser = null;
        }
    }

    /** The console's address of {@code path}. */
    protected String url(String path) {
        String base = console.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    protected static void screenshot(String name) throws IOException {
        chromium.screenshot(name);
    }

    /** Local sign-in as {@code subject} of {@code tenant} with exactly {@code roles}. */
    protected void signIn(WebDriverWait wait, String tenant, String subject, String... roles) {
        browser.get(url("/signin"));
        WebElement tenantField = browser.findElement(By.id("tenant"));
        tenantField.clear();
        tenantField.sendKeys(tenant);
        browser.findElement(By.id("subject")).sendKeys(subject);
        for (String role : List.of("author", "reviewer", "installer", "admin")) {
            WebElement box = browser.findElement(By.id("role-" + role));
            if (box.isSelected() != List.of(roles).contains(role)) {
                box.click();
            }
        }
        browser.findElement(By.cssSelector("form[action='/signin'] button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/integrations/marketplace"));
        assertTrue(browser.findElement(By.className("who")).getText().contains(subject + " · " + tenant));
    }
}
