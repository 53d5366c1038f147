package dev.polymux.console.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through chromedriver for one browser test class: a fresh profile, its own
 * driver log, and full-page screenshots under target/screenshots named with the class's prefix (each class clears
 * only its own).
 */
public final class ConsoleBrowser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path profile;
    private final String prefix;

    private ConsoleBrowser(ChromeDriver driver, Path profile, String prefix) {
        this.driver = driver;
        this.profile = profile;
        this.prefix = prefix;
    }

    /** Starts the browser; {@code prefix} names this class's screenshots and driver log, e.g. "connect-". */
    public static ConsoleBrowser start(String prefix) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("The console's browser test needs Debian's chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install chromium chromium-driver (.ci/run installs them)");
        }
        Path profile = Files.createTempDirectory("polymux-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver-" + prefix + "log")).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SCREENSHOTS);
        try (Stream<Path> old = Files.list(SCREENSHOTS)) {
            for (Path file : old.toList()) {
                if (file.getFileName().toString().startsWith(prefix)) {
                    Files.delete(file);
                }
            }
        }
        return new ConsoleBrowser(driver, profile, prefix);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** The whole page, not only the window (Chrome DevTools: captureBeyondViewport), at most 6000 px tall. */
    @SuppressWarnings("unchecked")
    public void screenshot(String name) throws IOException {
        byte[] png;
        try {
            Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of()).get("cssContentSize");
            double width = ((Number) size.get("width")).doubleValue();
            double height = Math.min(6000, ((Number) size.get("height")).doubleValue());
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                    "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
            png = Base64.getDecoder().decode((String) shot.get("data"));
        } catch (RuntimeException noDevTools) {
            png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        }
        Files.write(SCREENSHOTS.resolve(prefix + name + ".png"), png);
    }

    /** After a failed step: a screenshot and the page's address and source, to see what the browser saw. */
    public void keepFailure() throws IOException {
        screenshot("failure");
        Files.writeString(SCREENSHOTS.resolve(prefix + "failure.html"), driver.getCurrentUrl() + "\n" + driver.getPageSource());
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
