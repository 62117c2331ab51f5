package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's pages at a desktop width (1,280 px) and a phone's (390 px), in Debian's Chromium as
 * ConsoleBrowserTest drives it: no page scrolls sideways, nothing is a 404 (the favicon), times are
 * local with UTC on hover, the inbox sorts, has a created column and a select-all.
 */
class ConsoleLayoutBrowserTest {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final List<String> CHROMIUM_ARGS = List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run");

    private static Playwright playwright;
    private static Browser browser;

    @TempDir
    Path directory;

    private TestGateway gateway;
    private String agent;
    private String bob;
    private final List<String> notFound = new ArrayList<>();

    @BeforeAll
    static void launchBrowser() {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM),
                "SKIPPED: the console's browser tests need Debian's Chromium at " + CHROMIUM
                        + " (apt-get install chromium; .ci/run installs it)");
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright
                .chromium()
                .launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(CHROMIUM)
                        .setHeadless(true)
                        .setArgs(CHROMIUM_ARGS));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
        agent = gateway.agent("reporter-with-a-rather-long-agent-name");
        bob = gateway.human("bob", "data-owners");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private String request(String resource, int columns) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            names.add("a_rather_long_column_name_number_" + i);
        }
        return gateway.http
                .post(
                        "/v1/actions",
                        agent,
                        json(
                                "action",
                                "db.export",
                                "resource",
                                resource,
                                "reason",
                                "quarterly churn report for the board, with every column the analysts asked for",
                                "params",
                                Map.of(
                                        "format",
                                        "csv",
                                        "columns",
                                        names,
                                        "destination",
                                        "s3://analytics-exports/very/long/prefix/for/the/quarterly/report")))
                .text("id");
    }

    private Page signedIn(int width, int height) {
        return signedIn(width, height, bob);
    }

    private Page signedIn(int width, int height, String token) {
        BrowserContext context = browser.newContext(
                new Browser.NewContextOptions().setViewportSize(width, height).setTimezoneId("Europe/Paris"));
        context.setDefaultTimeout(10_000);
        Page page = context.newPage();
        page.onResponse(response -> {
            if (response.status() == 404) {
                notFound.add(response.url());
            }
        });
        page.navigate(gateway.baseUrl() + "/console/inbox");
        assertFits(page, "the sign-in page", width);
        page.fill("#token", token);
        page.click("button[type=submit]");
        page.waitForURL("**/console/inbox");
        return page;
    }

    private static List<String> ids(Page page, String rows) {
        Object found = page.locator(rows).evaluateAll("rows => rows.map(r => r.id)");
        return ((List<?>) found).stream().map(String::valueOf).toList();
    }

    private static void assertFits(Page page, String what, int width) {
        Object scroll = page.evaluate("document.documentElement.scrollWidth");
        Object inner = page.evaluate("window.innerWidth");
        assertThat(((Number) scroll).intValue())
                .as("%s at %d px: scrollWidth %s, innerWidth %s", what, width, scroll, inner)
                .isLessThanOrEqualTo(((Number) inner).intValue());
    }

    @Test
    void everyPageFitsADesktopAndAPhoneWithoutSidewaysScrolling_andNothingIsA404() {
        String first = request("db/prod/customers/with/a/long/path/to/the/table/that/keeps/going/and/going", 40);
        request("db/prod/orders", 3);
        for (int width : new int[] {1280, 390}) {
            Page page = signedIn(width, width == 390 ? 844 : 860);
            for (String path : List.of(
                    "/console/inbox",
                    "/console/requests/" + first,
                    "/console/history",
                    "/console/audit",
                    "/console/policy",
                    "/console/insights")) {
                page.navigate(gateway.baseUrl() + path);
                page.waitForLoadState();
                assertFits(page, path, width);
            }
            page.context().close();
        }
        assertThat(notFound)
                .as("answers that were 404 (a missing favicon is one)")
                .isEmpty();
    }

    @Test
    void inboxHasACreatedColumnInLocalTimeWithUtcOnHover_sortsOldestFirst_andSelectsAll() {
        String older = request("db/prod/customers", 2);
        String newer = request("db/prod/orders", 2);
        Page page = signedIn(1280, 860);

        page.waitForSelector("#row-" + older + " time[data-local]");
        String title = page.getAttribute("#row-" + older + " time", "title");
        String shown = page.textContent("#row-" + older + " time");
        assertThat(title).endsWith(" UTC");
        assertThat(shown).doesNotContain("UTC").isNotEqualTo(page.getAttribute("#row-" + older + " time", "datetime"));
        assertThat(ids(page, "#rows tr")).containsExactly("row-" + newer, "row-" + older);

        page.selectOption("#f-sort", "oldest");
        page.click("#filters button[type=submit]");
        page.waitForURL(url -> url.contains("sort=oldest"));
        assertThat(ids(page, "#rows tr")).containsExactly("row-" + older, "row-" + newer);

        page.check("#pick-all");
        assertThat(page.isChecked("#pick-" + older)).isTrue();
        assertThat(page.isChecked("#pick-" + newer)).isTrue();
        page.fill("#bulk-comment", "both fine");
        page.click("#bulk button[value=approve]");
        page.waitForURL("**/console/inbox**");
        assertThat(gateway.http.get("/v1/actions/" + older, agent).text("status"))
                .isEqualTo("approved");

        page.navigate(gateway.baseUrl() + "/console/requests/" + older);
        page.waitForSelector("dl.facts time[data-local]");
        assertThat(page.getAttribute("dl.facts time", "title")).endsWith(" UTC");
        page.waitForSelector("table time[data-local]");
        assertThat(page.getAttribute("table time", "title"))
                .as("the vote's time, local with UTC on hover")
                .endsWith(" UTC");
        assertThat(page.textContent("table time")).doesNotContain("UTC");
        assertThat(gateway.http.get("/v1/actions/" + newer, agent).text("status"))
                .isEqualTo("approved");
    }

    @Test
    void historyFindsDecidedRequestsByStatusWhoDecidedAndFreeText_andPages() {
        String alice = gateway.human("alice", "data-owners");
        List<String> approved = new ArrayList<>();
        for (int i = 0; i < 52; i++) {
            String id = request("db/prod/table-" + i, 1);
            gateway.http.post("/v1/actions/" + id + "/approve", alice, json("comment", "ok number " + i));
            approved.add(id);
        }
        String denied = request("db/prod/secrets", 1);
        gateway.http.post("/v1/actions/" + denied + "/deny", alice, json("comment", "never the secrets table"));
        String pending = request("db/prod/pending", 1);
        Page page = signedIn(1280, 860);

        page.navigate(gateway.baseUrl() + "/console/history");
        assertThat(page.textContent("caption"))
                .contains("53 decided request(s)")
                .contains("page 1 of 2");
        assertThat(ids(page, "#history-rows tr")).hasSize(50).first().isEqualTo("history-" + denied);
        assertThat(ids(page, "#history-rows tr")).doesNotContain("history-" + pending);
        page.click("#history-older");
        assertThat(ids(page, "#history-rows tr"))
                .containsExactlyInAnyOrder(
                        "history-" + approved.get(2), "history-" + approved.get(1), "history-" + approved.get(0));

        page.navigate(gateway.baseUrl() + "/console/history");
        page.fill("#h-q", "secrets table");
        page.click("#history-filters button[type=submit]");
        assertThat(ids(page, "#history-rows tr")).containsExactly("history-" + denied);
        page.navigate(gateway.baseUrl() + "/console/history?status=approved&decidedBy=human:alice&resource=*table-7");
        assertThat(ids(page, "#history-rows tr")).containsExactly("history-" + approved.get(7));
    }

    @Test
    void adminPage_suspendsResumesAndRevokesAnAgent_andFitsBothWidths_forAdminsOnly() {
        String ada = gateway.human("ada", "countersign:admin");
        String name = "reporter-with-a-rather-long-agent-name";
        Page phone = signedIn(390, 844, ada);
        phone.navigate(gateway.baseUrl() + "/console/admin");
        assertFits(phone, "/console/admin", 390);
        phone.context().close();
        Page page = signedIn(1280, 860, ada);
        page.navigate(gateway.baseUrl() + "/console/admin");
        assertFits(page, "/console/admin", 1280);

        page.fill("#reason-" + name, "leaking rows");
        page.click("#suspend-" + name);
        page.waitForURL("**/console/admin");
        assertThat(page.textContent(".notice")).contains("Suspended " + name);
        assertThat(gateway.http
                        .post("/v1/actions", agent, json("action", "db.query", "resource", "db/x", "reason", "r"))
                        .text("status"))
                .isEqualTo("denied");
        page.click("#resume-" + name);
        assertThat(page.textContent(".notice")).contains("Resumed " + name);
        page.click("#revoke-" + name);
        assertThat(page.textContent(".notice")).contains("Revoked 1 key(s)");
        assertThat(gateway.http
                        .get("/v1/actions/req_00000000000000000000000000", agent)
                        .status())
                .isEqualTo(401);
        assertThat(gateway.http.get("/v1/audit/entries?start=0", ada).body())
                .contains("\"type\":\"agent.suspended\"")
                .contains("\"actor\":\"human:ada\"");

        page.navigate(gateway.baseUrl() + "/console/admin");
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        com.microsoft.playwright.Download zip = page.waitForDownload(() -> {
            page.fill("#e-from", today);
            page.fill(
                    "#e-to",
                    java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                            .plusDays(1)
                            .toString());
            page.click("#evidence-download");
        });
        assertThat(zip.suggestedFilename()).startsWith("countersign-evidence-").endsWith(".zip");
        page.context().close();

        Page notAdmin = signedIn(1280, 860, bob);
        assertThat(notAdmin.navigate(gateway.baseUrl() + "/console/admin").status())
                .isEqualTo(403);
        assertThat(notAdmin.request()
                        .post(gateway.baseUrl() + "/console/admin/agents/" + name + "/resume")
                        .status())
                .isEqualTo(403);
    }
}
