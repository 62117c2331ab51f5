package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML summary in a real browser (Debian's Chromium, headless, as the console's browser
 * tests): it draws its charts with nothing fetched from anywhere, and its top is the README's
 * screenshot, docs/evidence-summary.png, over a generated two-week history.
 */
class EvidenceSummaryBrowserTest {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final List<String> CHROMIUM_ARGS = List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run");

    @TempDir
    Path directory;

    @Test
    void summary_drawsItsCharts_fetchingNothing() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "SKIPPED: needs Debian's Chromium at " + CHROMIUM);
        EvidencePeriod period = EvidencePeriod.parse("2026-10-05", "2026-10-19");
        EvidenceAnalysis analysis =
                EvidenceAnalysis.of(history(period.from(), 2).events(), period);
        Path html = directory.resolve("summary.html");
        Files.writeString(
                html,
                SummaryHtml.render(
                        analysis,
                        new LogHead(
                                "countersign.example.com/audit",
                                48_213,
                                "2jR0nWvXv6S0O8m1k6tq5eVcxlGv5RRm3e9Gk6LmY0Q=",
                                "countersign.example.com/audit+8f3a0c2e+AaVe",
                                40_102,
                                44_871,
                                4_771)),
                StandardCharsets.UTF_8);

        List<String> fetched = new ArrayList<>();
        try (Playwright playwright = Playwright.create(
                        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser = playwright
                        .chromium()
                        .launch(new BrowserType.LaunchOptions()
                                .setExecutablePath(CHROMIUM)
                                .setHeadless(true)
                                .setArgs(CHROMIUM_ARGS))) {
            Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1180, 860));
            page.onRequest(request -> fetched.add(request.url()));
            page.navigate(html.toUri().toString());

            assertThat(page.locator("svg").count()).isEqualTo(2);
            assertThat(page.locator("svg rect").count()).isGreaterThan(20);
            assertThat(fetched).allSatisfy(url -> assertThat(url).startsWith("file:"));
            page.screenshot(new Page.ScreenshotOptions().setPath(docs("evidence-summary.png")));
        }
    }

    @Test
    void summary_fitsAPhoneOf390PxWithoutSidewaysScrolling() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "SKIPPED: needs Debian's Chromium at " + CHROMIUM);
        EvidencePeriod period = EvidencePeriod.parse("2026-10-05", "2026-10-19");
        History history = history(period.from(), 2);
        // An identifier long enough to push any table that cannot shrink past the screen.
        history.created(
                "req_with_a_long_identifier_0123456789abcdef0123456789abcdef",
                period.from().plus(Duration.ofDays(2)),
                "an-agent-with-a-rather-long-name-for-a-phone",
                "someone.with.a.long.address@subsidiary.example.com",
                "db.export",
                "db/prod/customers/with/a/long/path/to/the/table/that/keeps/going",
                "allow",
                "a-rule-with-a-long-name-too");
        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), period);
        Path html = directory.resolve("summary.html");
        Files.writeString(
                html,
                SummaryHtml.render(
                        analysis,
                        new LogHead(
                                "countersign.example.com/audit",
                                48_213,
                                "2jR0nWvXv6S0O8m1k6tq5eVcxlGv5RRm3e9Gk6LmY0Q=",
                                "countersign.example.com/audit+8f3a0c2e+AaVe",
                                40_102,
                                44_871,
                                4_771)),
                StandardCharsets.UTF_8);
        try (Playwright playwright = Playwright.create(
                        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser = playwright
                        .chromium()
                        .launch(new BrowserType.LaunchOptions()
                                .setExecutablePath(CHROMIUM)
                                .setHeadless(true)
                                .setArgs(CHROMIUM_ARGS))) {
            Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(390, 844));
            page.navigate(html.toUri().toString());
            Object scroll = page.evaluate("document.documentElement.scrollWidth");
            Object inner = page.evaluate("window.innerWidth");
            assertThat(((Number) scroll).intValue())
                    .as("summary.html at 390 px: scrollWidth %s, innerWidth %s", scroll, inner)
                    .isLessThanOrEqualTo(((Number) inner).intValue());
            Object chartWidth = page.evaluate("document.querySelector('svg').getBoundingClientRect().width");
            assertThat(((Number) chartWidth).doubleValue())
                    .as("the chart scales down to the screen")
                    .isLessThanOrEqualTo(390);
        }
    }

    /** About 25 requests a working day: mostly allowed reads, approvals within minutes to hours, a few denials and expiries, one break-glass. */
    static History history(Instant start, int weeks) {
        Random random = new Random(20261005);
        History history = new History().policy(start.minus(Duration.ofDays(3)), "sha256:fc80cb52");
        int n = 0;
        for (int day = 0; day < 7 * weeks; day++) {
            if (day % 7 >= 5) {
                continue;
            }
            int count = 18 + random.nextInt(14);
            for (int i = 0; i < count; i++) {
                String id = "req_" + (++n);
                Instant created =
                        start.plus(Duration.ofDays(day)).plus(Duration.ofMinutes(8 * 60 + random.nextInt(10 * 60)));
                int kind = random.nextInt(100);
                if (kind < 45) {
                    history.created(
                                    id,
                                    created,
                                    "reporter",
                                    null,
                                    "db.query",
                                    "db/analytics/events",
                                    "allow",
                                    "reads-are-free")
                            .executed(id, created.plusSeconds(1), "reporter", "succeeded");
                } else if (kind < 52) {
                    history.created(
                            id,
                            created,
                            "deployer",
                            null,
                            "iam.grant",
                            "iam/roles/admin",
                            "deny",
                            "agents-never-touch-iam");
                } else {
                    long seconds = (long) Math.exp(3 + random.nextDouble() * 6.5);
                    Instant decided = created.plusSeconds(seconds);
                    history.created(
                            id,
                            created,
                            "exporter",
                            "dana@example.com",
                            "db.export",
                            "db/prod/customers",
                            "require_approval",
                            "exports-need-a-data-owner");
                    if (kind < 55) {
                        history.resolved(id, created.plus(Duration.ofMinutes(30)), "expired", "system");
                    } else if (kind < 61) {
                        history.vote(id, decided, "olga", "olga@example.com", "deny", "slack")
                                .resolved(id, decided, "denied", "human:olga");
                    } else {
                        String channel = List.of("slack", "teams", "console").get(random.nextInt(3));
                        history.vote(id, decided, "olga", "olga@example.com", "approve", channel)
                                .resolved(id, decided, "approved", "human:olga")
                                .executed(
                                        id,
                                        decided.plusSeconds(2),
                                        "exporter",
                                        random.nextInt(30) == 0 ? "failed" : "succeeded");
                    }
                }
            }
        }
        Instant incident = start.plus(Duration.ofDays(8)).plus(Duration.ofHours(3));
        history.created(
                        "req_incident",
                        incident,
                        "oncall-bot",
                        "ic",
                        "incident.mitigate",
                        "prod/api",
                        "require_approval",
                        "incidents-need-two")
                .vote("req_incident", incident.plusSeconds(40), "ic", "ic@example.com", "approve", "api")
                .breakGlass("req_incident", incident.plusSeconds(40), "ic", "prod is down, SEV1")
                .resolved("req_incident", incident.plusSeconds(40), "approved", "human:ic")
                .reviewed("req_incident", incident.plus(Duration.ofHours(5)), "ic", "rita");
        return history;
    }

    private static Path docs(String file) {
        Path root = Path.of(System.getProperty("user.dir"));
        Path docs = Files.isDirectory(root.resolve("docs"))
                ? root.resolve("docs")
                : root.getParent().resolve("docs");
        return docs.resolve(file);
    }
}
