package org.fewner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at {@code /} in a real headless browser (Debian's chromium and chromedriver through
 * Selenium; skipped where they are absent): load, submit, check the highlighted spans; a screenshot
 * goes to {@code target/page.png}.
 *
 * <p>The docs' screenshot comes from the real model: {@code -Dfewner.page.model=default
 * -Dfewner.page.method=span -Dfewner.page.screenshot=docs/page.png}.
 */
class PageBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void typeExamplesSubmitAndSeeTheEntitiesHighlighted() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: no /usr/bin/chromium or /usr/bin/chromedriver (apt-get install chromium"
                        + " chromium-driver)");
        String model = System.getProperty("fewner.page.model");
        boolean tiny = model == null || model.isBlank();
        ServeConfig config =
                tiny
                        ? TestServers.config()
                        : ServeConfig.of(model, System.getProperty("fewner.page.method", "span"))
                                .withWorkers(1);
        Path shot = Path.of(System.getProperty("fewner.page.screenshot", "target/page.png"));
        try (FewNerServer server = FewNerServer.start(config)) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--window-size=1000,1100");
            ChromeDriverService service =
                    new ChromeDriverService.Builder()
                            .usingDriverExecutable(CHROMEDRIVER.toFile())
                            .usingAnyFreePort()
                            .build();
            WebDriver driver = new ChromeDriver(service, options);
            try {
                driver.get(server.url() + "/");
                assertEquals("FewNER: try it", driver.getTitle());
                if (!tiny) {
                    WebElement text = driver.findElement(By.id("text"));
                    text.clear();
                    text.sendKeys(
                            "Angela Merkel met Emmanuel Macron in Berlin on Tuesday. Later, Siemens"
                                    + " and the European Commission announced a joint project in Brussels.");
                    WebElement ex = driver.findElement(By.id("examples"));
                    ex.clear();
                    ex.sendKeys(
                            "[Marie Curie](PER) visited [Paris](LOC) with colleagues from [Sorbonne University](ORG) .\n"
                                    + "[John Smith](PER) met officials of the [United Nations](ORG) in [London](LOC) .\n"
                                    + "[Volkswagen](ORG) opened a plant near [Madrid](LOC) , said [Ana Garcia](PER) .");
                }
                driver.findElement(By.id("submit")).click();
                new WebDriverWait(driver, Duration.ofSeconds(tiny ? 60 : 300))
                        .until(
                                d ->
                                        d.findElement(By.id("result")).getAttribute("data-done")
                                                != null);
                assertEquals("", driver.findElement(By.id("error")).getText());
                String text = driver.findElement(By.id("text")).getAttribute("value");
                List<String> marks = new ArrayList<>();
                for (WebElement m : driver.findElements(By.cssSelector("#result mark.ent"))) {
                    int b = Integer.parseInt(m.getAttribute("data-begin"));
                    int e = Integer.parseInt(m.getAttribute("data-end"));
                    String span = m.findElement(By.className("span-text")).getText();
                    assertEquals(text.substring(b, e), span);
                    assertTrue(Set.of("PER", "LOC", "ORG").contains(m.getAttribute("data-label")));
                    marks.add(
                            span
                                    + " "
                                    + m.getAttribute("data-label")
                                    + " "
                                    + m.getAttribute("data-score"));
                    assertFalse(m.getAttribute("title").isBlank(), "an explanation on hover");
                }
                if (tiny) {
                    assertEquals(
                            List.of(
                                    "John Smith PER 0.900",
                                    "London LOC 0.400",
                                    "Marie Curie PER 0.900",
                                    "Paris LOC 0.400"),
                            marks);
                } else {
                    assertFalse(marks.isEmpty());
                    System.out.println("page: " + marks);
                }
                Files.createDirectories(shot.toAbsolutePath().getParent());
                Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.quit();
            }
        }
    }
}
