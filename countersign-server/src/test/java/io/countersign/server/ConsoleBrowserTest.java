package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import io.countersign.server.Http.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approver console in a real browser: Debian's Chromium, headless, driven by Playwright for
 * Java, against a real gateway and a real OIDC provider (mock-oauth2-server). Browsers are never
 * downloaded: the tests launch {@code /usr/bin/chromium} (.ci/run installs it).
 */
class ConsoleBrowserTest {
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

    private TestIdentityProvider provider;
    private TestGateway gateway;
    private String agent;
    private BrowserContext context;
    private Page page;

    @BeforeAll
    static void launchBrowser() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isExecutable(CHROMIUM),
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
        provider = new TestIdentityProvider();
        gateway = new TestGateway(directory, OidcAuthenticationTest.identity(provider), "/e2e-policy.yaml");
        agent = gateway.agent("reporter");
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 860));
        context.setDefaultTimeout(10_000);
        page = context.newPage();
    }

    @AfterEach
    void stop() {
        context.close();
        gateway.close();
        provider.close();
    }

    private void signIn(String name, String... groups) {
        provider.nextSignIn(name, Map.of("groups", List.of(groups), "email", name + "@example.com"));
        page.navigate(gateway.baseUrl() + "/console/inbox");
        assertThat(page.url()).contains("/console/sign-in");
        page.click("#oidc-sign-in");
        page.waitForURL("**/console/inbox");
        assertThat(page.textContent("header")).contains(name);
    }

    private String export(String resource, String onBehalfOf) {
        String body = onBehalfOf == null
                ? json(
                        "action",
                        "db.export",
                        "resource",
                        resource,
                        "reason",
                        "quarterly churn report",
                        "params",
                        Map.of("format", "csv", "rows", 1200, "columns", List.of("id", "plan", "churned_at")))
                : json(
                        "action",
                        "db.export",
                        "resource",
                        resource,
                        "reason",
                        "quarterly churn report",
                        "onBehalfOf",
                        onBehalfOf,
                        "params",
                        Map.of(
                                "format",
                                "csv",
                                "rows",
                                1200,
                                "columns",
                                List.of("id", "plan", "churned_at"),
                                "destination",
                                Map.of("bucket", "s3://analytics-exports", "retention", "30d")));
        Response created = gateway.http.post("/v1/actions", agent, body);
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        return created.text("id");
    }

    private String status(String id) {
        return gateway.http.get("/v1/actions/" + id, agent).text("status");
    }

    private static Path docs(String file) {
        Path root = Path.of(System.getProperty("user.dir"));
        Path docs = Files.isDirectory(root.resolve("docs"))
                ? root.resolve("docs")
                : root.getParent().resolve("docs");
        return docs.resolve(file);
    }

    @Test
    void signInThroughTheProvider_seeANewRequestWithoutAReload_approveIt_andTheAgentsLongPollReturnsApproved()
            throws Exception {
        signIn("bob", "data-owners");
        page.evaluate("window.__noReload = true");

        String id = export("db/prod/customers", "alice");
        page.waitForSelector("#row-" + id, new Page.WaitForSelectorOptions().setTimeout(6_000));
        assertThat(page.evaluate("window.__noReload"))
                .as("the row came in without a reload")
                .isEqualTo(true);
        page.screenshot(
                new Page.ScreenshotOptions().setPath(docs("console-inbox.png")).setFullPage(true));

        CompletableFuture<Response> longPoll =
                CompletableFuture.supplyAsync(() -> gateway.http.get("/v1/actions/" + id + "?wait=30s", agent));
        page.click("#row-" + id + " a");
        page.waitForURL("**/console/requests/" + id);
        assertThat(page.textContent("#status")).isEqualTo("pending");
        assertThat(page.textContent("main"))
                .contains("alice", "reporter", "quarterly churn report", "exports-need-a-data-owner", "1200");
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(docs("console-request.png"))
                .setFullPage(true));
        Thread.sleep(200);
        assertThat(longPoll).as("the agent is still waiting").isNotDone();

        page.fill("#approve-comment", "fine for the churn report");
        page.click("#approve");
        page.waitForURL("**/console/requests/" + id);
        expectStatus("approved");
        assertThat(page.textContent("#decided")).contains("human:bob", "via console");

        Response answer = longPoll.get(10, TimeUnit.SECONDS);
        assertThat(answer.text("status")).isEqualTo("approved");
        assertThat(answer.json().path("grant").path("token").asString()).isNotEmpty();
    }

    @Test
    void onBehalfOfHuman_seesTheRequestWithoutAnApproveButton_andAHandForgedPostIs403() {
        String id = export("db/prod/customers", "alice");
        signIn("alice", "data-owners");

        page.navigate(gateway.baseUrl() + "/console/requests/" + id);
        assertThat(page.textContent("#status")).isEqualTo("pending");
        assertThat(page.locator("#approve").count()).isZero();
        assertThat(page.textContent("#refusal")).contains("alice");

        String csrf = page.locator("header input[name=csrf]").inputValue();
        APIResponse forged = context.request()
                .post(
                        gateway.baseUrl() + "/console/requests/" + id + "/approve",
                        RequestOptions.create()
                                .setForm(
                                        FormData.create().set("csrf", csrf).set("comment", "approving my own export")));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(status(id)).isEqualTo("pending");
    }

    @Test
    void postWithoutTheCsrfToken_is403_andNothingIsDecided() {
        String id = export("db/prod/customers", "alice");
        signIn("bob", "data-owners");

        APIResponse withoutToken = context.request()
                .post(
                        gateway.baseUrl() + "/console/requests/" + id + "/approve",
                        RequestOptions.create().setForm(FormData.create().set("comment", "looks fine")));
        APIResponse wrongToken = context.request()
                .post(
                        gateway.baseUrl() + "/console/requests/" + id + "/approve",
                        RequestOptions.create()
                                .setForm(FormData.create().set("csrf", "forged").set("comment", "looks fine")));

        assertThat(withoutToken.status()).isEqualTo(403);
        assertThat(wrongToken.status()).isEqualTo(403);
        assertThat(status(id)).isEqualTo("pending");
    }

    @Test
    void bulkApprove_threeRequests_eachVoteGoesThroughTheWorkflowOnItsOwn() {
        List<String> ids = new ArrayList<>();
        for (String table : List.of("customers", "invoices", "plans")) {
            ids.add(export("db/prod/" + table, null));
        }
        signIn("bob", "data-owners");

        for (String id : ids) {
            page.check("#pick-" + id);
        }
        page.fill("#bulk-comment", "month-end exports");
        page.click("button[name=decision][value=approve]");
        page.waitForURL("**/console/inbox");

        assertThat(page.textContent(".notice")).contains("Approved 3 of 3");
        for (String id : ids) {
            Response request = gateway.http.get("/v1/actions/" + id, agent);
            assertThat(request.text("status")).isEqualTo("approved");
            assertThat(request.json().path("votes")).hasSize(1);
            assertThat(request.json().path("votes").get(0).path("channel").asString())
                    .isEqualTo("console");
            assertThat(request.json().path("votes").get(0).path("comment").asString())
                    .isEqualTo("month-end exports");
        }
    }

    @Test
    void stepUpRule_withAStaleSignIn_showsNoApproveButton_untilThePersonSignsInAgainAtTheProvider() throws Exception {
        gateway.close();
        Path stepUp = Files.createDirectories(directory.resolve("step-up"));
        gateway = new TestGateway(
                stepUp,
                OidcAuthenticationTest.identity(provider).withStepUpMaxAge(java.time.Duration.ofMinutes(10)),
                "/identity-policy.yaml");
        String bot = gateway.agent("oncall-bot");
        String id = gateway.http
                .post(
                        "/v1/actions",
                        bot,
                        json("action", "deploy.production", "resource", "prod/api", "reason", "page 1234"))
                .text("id");
        long stale = java.time.Instant.now().minusSeconds(45 * 60).getEpochSecond();
        provider.nextSignIn("sam", Map.of("groups", List.of("sre"), "auth_time", stale));
        page.navigate(gateway.baseUrl() + "/console/requests/" + id);
        page.click("#oidc-sign-in");
        page.waitForURL("**/console/requests/" + id);

        assertThat(page.locator("#approve").count()).isZero();
        assertThat(page.textContent("#refusal")).contains("production-deploys-need-a-fresh-sign-in");

        long fresh = java.time.Instant.now().getEpochSecond();
        provider.nextSignIn("sam", Map.of("groups", List.of("sre"), "auth_time", fresh));
        page.navigate(gateway.baseUrl() + page.getAttribute("text=Sign in again to vote", "href"));
        if (page.url().startsWith(provider.issuer().toString())) {
            // prompt=login: the provider asks who is there, as a real one would.
            page.fill("input[name=username]", "sam");
            page.fill("textarea[name=claims]", "{\"groups\": [\"sre\"], \"auth_time\": " + fresh + "}");
            page.click("input[type=submit]");
        }
        page.waitForURL("**/console/requests/" + id);
        page.click("#approve");
        page.waitForURL("**/console/requests/" + id);

        expectStatus("approved");
    }

    @Test
    void withoutJavaScript_theApproveFormStillWorks() {
        String id = export("db/prod/customers", null);
        context.close();
        context = browser.newContext(new Browser.NewContextOptions().setJavaScriptEnabled(false));
        context.setDefaultTimeout(10_000);
        page = context.newPage();
        signIn("bob", "data-owners");

        page.navigate(gateway.baseUrl() + "/console/requests/" + id);
        page.click("#approve");
        page.waitForURL("**/console/requests/" + id);

        expectStatus("approved");
    }

    @Test
    void everyFormControl_hasALabel_andARequestCanBeApprovedWithTheKeyboardAlone() {
        String id = export("db/prod/customers", null);
        signIn("bob", "data-owners", TestGateway.AUDITORS);
        String unlabelled = "Array.from(document.querySelectorAll('input:not([type=hidden]), textarea, select'))"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)";
        for (String path : List.of("/console/inbox", "/console/requests/" + id, "/console/audit", "/console/policy")) {
            page.navigate(gateway.baseUrl() + path);
            assertThat((List<?>) page.evaluate(unlabelled))
                    .as("unlabelled controls on %s", path)
                    .isEmpty();
            assertThat(page.locator("html").getAttribute("lang")).isEqualTo("en");
        }

        page.navigate(gateway.baseUrl() + "/console/requests/" + id);
        page.focus("#approve-comment");
        page.keyboard().type("checked the export");
        page.keyboard().press("Tab");
        assertThat(page.evaluate("document.activeElement.id")).isEqualTo("approve");
        page.keyboard().press("Enter");
        page.waitForURL("**/console/requests/" + id);

        expectStatus("approved");
    }

    @Test
    void signOut_endsTheSession() {
        signIn("bob", "data-owners");

        // Sign-out ends the local session, then sends the browser to the provider's end_session_endpoint
        // (RP-initiated logout; ConsoleProviderSessionTest pins that redirect): whatever the provider's page
        // does next, the console's session is gone.
        page.click("header button[type=submit]");
        page.waitForLoadState();
        page.navigate(gateway.baseUrl() + "/console/inbox");

        assertThat(page.url()).contains("/console/sign-in");
    }

    /** The form posts and redirects back to the same page, so waiting for the URL alone can see the old page. */
    private void expectStatus(String status) {
        PlaywrightAssertions.assertThat(page.locator("#status")).hasText(status);
    }
}
