package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.breaker.TrippedBreaker;
import io.countersign.server.Http.Response;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.sqlite.SqliteStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console over plain HTTP, in the embedded setup (no identity provider): sign-in with a local
 * human token, what the session cookie looks like, login CSRF, and that agent-supplied text is
 * escaped. The browser tests ({@link ConsoleBrowserTest}) cover the OIDC flow and the pages' use.
 */
class ConsoleSessionTest {
    private static final Pattern HIDDEN_CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    Path directory;

    private TestGateway gateway;
    private final HttpClient client =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private HttpResponse<String> get(String path, String cookies) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).GET();
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        return send(request);
    }

    private HttpResponse<String> postForm(String path, String cookies, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String csrf(HttpResponse<String> page) {
        Matcher matcher = HIDDEN_CSRF.matcher(page.body());
        assertThat(matcher.find()).as("a csrf field in %s", page.body()).isTrue();
        return matcher.group(1);
    }

    private static Optional<String> setCookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(name + "="))
                .findFirst();
    }

    /** "name=value" of a Set-Cookie, for the next request's Cookie header. */
    private static String pair(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** Signs in with a local token the way the form does; answers the session's Cookie header. */
    private String signIn(String token) {
        HttpResponse<String> form = get("/console/sign-in", "");
        String formCookie = pair(setCookie(form, "countersign_signin").orElseThrow());
        HttpResponse<String> signedIn = postForm(
                "/console/sign-in", formCookie, Map.of("csrf", csrf(form), "token", token, "next", "/console/inbox"));
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        return pair(setCookie(signedIn, "countersign_session").orElseThrow());
    }

    @Test
    void localToken_signsInAHuman_withAnHttpOnlySameSiteLaxSessionCookie() {
        String token = gateway.human("bob", "data-owners");
        HttpResponse<String> form = get("/console/sign-in", "");
        String formCookie = pair(setCookie(form, "countersign_signin").orElseThrow());

        HttpResponse<String> signedIn = postForm(
                "/console/sign-in", formCookie, Map.of("csrf", csrf(form), "token", token, "next", "/console/inbox"));

        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("Location")).contains("/console/inbox");
        String cookie = setCookie(signedIn, "countersign_session").orElseThrow();
        assertThat(cookie).contains("HttpOnly", "SameSite=Lax", "Path=/console").doesNotContain("Secure");
        HttpResponse<String> inbox = get("/console/inbox", pair(cookie));
        assertThat(inbox.statusCode()).isEqualTo(200);
        assertThat(inbox.body()).contains("Signed in as <strong>bob</strong>");
        assertThat(inbox.headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void withoutASession_pagesRedirectToSignIn_andPostsAre401() {
        HttpResponse<String> page = get("/console/inbox?action=db.*", "");
        HttpResponse<String> post = postForm("/console/inbox/decide", "", Map.of("decision", "approve"));

        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location"))
                .contains("/console/sign-in?next=%2Fconsole%2Finbox%3Faction%3Ddb.*");
        assertThat(post.statusCode()).isEqualTo(401);
    }

    @Test
    void signInForm_withoutItsCookie_isRefused() {
        String token = gateway.human("bob", "data-owners");
        HttpResponse<String> form = get("/console/sign-in", "");

        HttpResponse<String> forged = postForm("/console/sign-in", "", Map.of("csrf", csrf(form), "token", token));

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(setCookie(forged, "countersign_session")).isEmpty();
    }

    @Test
    void agentKey_cannotSignIn() {
        String key = gateway.agent("reporter");
        HttpResponse<String> form = get("/console/sign-in", "");
        String formCookie = pair(setCookie(form, "countersign_signin").orElseThrow());

        HttpResponse<String> refused =
                postForm("/console/sign-in", formCookie, Map.of("csrf", csrf(form), "token", key));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("agents can't use the console");
        assertThat(setCookie(refused, "countersign_session")).isEmpty();
    }

    @Test
    void aBearerToken_doesNotOpenTheConsole() {
        String token = gateway.human("bob", "data-owners");
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/console/inbox"))
                .header("Authorization", "Bearer " + token));

        assertThat(answer.statusCode()).isEqualTo(303);
    }

    @Test
    void signInRedirect_staysInsideTheConsole() {
        String token = gateway.human("bob", "data-owners");
        HttpResponse<String> form = get("/console/sign-in", "");
        String formCookie = pair(setCookie(form, "countersign_signin").orElseThrow());

        HttpResponse<String> signedIn = postForm(
                "/console/sign-in",
                formCookie,
                Map.of("csrf", csrf(form), "token", token, "next", "https://evil.example.com/console/inbox"));

        assertThat(signedIn.headers().firstValue("Location")).contains("/console/inbox");
    }

    @Test
    void requestPage_escapesWhatTheAgentWrote_showsParamsAsATree_andSqlOneClauseALine() {
        String agent = gateway.agent("reporter");
        String id = gateway.http
                .post(
                        "/v1/actions",
                        agent,
                        json(
                                "action",
                                "db.export",
                                "resource",
                                "db/prod/customers",
                                "reason",
                                "<script>alert('x')</script>",
                                "params",
                                Map.of(
                                        "statement",
                                        "SELECT id, email FROM customers WHERE plan = 'pro' ORDER BY id",
                                        "limits",
                                        Map.of("rows", 500, "tables", List.of("customers")))))
                .text("id");
        String session = signIn(gateway.human("bob", "data-owners"));

        HttpResponse<String> page = get("/console/requests/" + id, session);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("<script>alert").contains("&lt;script&gt;alert(");
        assertThat(page.body()).contains("SELECT id, email\nFROM customers\nWHERE plan = 'pro'\nORDER BY id");
        assertThat(page.body())
                .contains(
                        "<span class=\"key\">limits</span>",
                        "<span class=\"key\">rows</span>: <span class=\"value\">500</span>",
                        "<span class=\"key\">[0]</span>: <span class=\"value\">customers</span>");
        assertThat(page.body()).contains("id=\"approve\"", "id=\"deny\"");
    }

    @Test
    void decidedRequest_showsWhoDecidedWhenThroughWhichChannel_andTheExecutionOutcome_andNoButtons() {
        String agent = gateway.agent("reporter");
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/customers", "reason", "r"))
                .text("id");
        assertThat(gateway.http
                        .post(
                                "/v1/actions/" + id + "/approve",
                                gateway.human("carol", "data-owners"),
                                json("comment", "ok"))
                        .status())
                .isEqualTo(200);
        String grant = gateway.http
                .get("/v1/actions/" + id, agent)
                .json()
                .path("grant")
                .path("token")
                .asString();
        assertThat(gateway.http
                        .post(
                                "/v1/actions/" + id + "/execution",
                                agent,
                                json("grant", grant, "outcome", "succeeded", "detail", "1200 rows"))
                        .status())
                .isEqualTo(200);
        String session = signIn(gateway.human("bob", "data-owners"));

        HttpResponse<String> page = get("/console/requests/" + id, session);

        assertThat(page.body())
                .contains(
                        "human:carol at ", " via api", "succeeded at ", ": 1200 rows", "<td>carol</td>", "<td>ok</td>");
        assertThat(page.body()).doesNotContain("id=\"approve\"", "id=\"deny\"");
    }

    @Test
    void denyWithAComment_fromTheRequestPage_deniesIt() {
        String agent = gateway.agent("reporter");
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/customers", "reason", "r"))
                .text("id");
        String session = signIn(gateway.human("bob", "data-owners"));
        String csrf = csrf(get("/console/requests/" + id, session));

        HttpResponse<String> denied = postForm(
                "/console/requests/" + id + "/deny", session, Map.of("csrf", csrf, "comment", "not this quarter"));

        assertThat(denied.statusCode()).isEqualTo(303);
        Response request = gateway.http.get("/v1/actions/" + id, agent);
        assertThat(request.text("status")).isEqualTo("denied");
        assertThat(request.json().path("votes").get(0).path("comment").asString())
                .isEqualTo("not this quarter");
        assertThat(get("/console/requests/" + id, session).body())
                .contains("Your deny was recorded; the request is denied.");
    }

    @Test
    void denyWithoutAComment_isRefused_andTheRequestStaysPending() {
        String agent = gateway.agent("reporter");
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/customers", "reason", "r"))
                .text("id");
        String session = signIn(gateway.human("bob", "data-owners"));
        String csrf = csrf(get("/console/requests/" + id, session));

        HttpResponse<String> denied =
                postForm("/console/requests/" + id + "/deny", session, Map.of("csrf", csrf, "comment", " "));

        assertThat(denied.statusCode()).isEqualTo(422);
        assertThat(gateway.http.get("/v1/actions/" + id, agent).text("status")).isEqualTo("pending");
    }

    @Test
    void signOut_needsTheCsrfToken_andEndsTheSession() {
        String session = signIn(gateway.human("bob", "data-owners"));
        String csrf = csrf(get("/console/inbox", session));

        assertThat(postForm("/console/sign-out", session, Map.of()).statusCode())
                .isEqualTo(403);
        assertThat(postForm("/console/sign-out", session, Map.of("csrf", csrf)).statusCode())
                .isEqualTo(303);
        assertThat(get("/console/inbox", session).statusCode()).isEqualTo(303);
    }

    @Test
    void auditPage_showsTheLatestCheckpointVerifiedByTheServersKey_andTheEntriesNewestFirst() throws Exception {
        String agent = gateway.agent("reporter");
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/customers", "reason", "r"))
                .text("id");
        String session = signIn(gateway.human("bob", "data-owners", TestGateway.AUDITORS));
        String key = gateway.http.get("/v1/audit/key", null).body().strip();

        HttpResponse<String> page = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            page = get("/console/audit", session);
            if (page.body().contains("signature verified")) {
                break;
            }
            Thread.sleep(100);
        }

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains(
                        "signature verified with", key, "request.created", "/console/requests/" + id, "policy.loaded");
        assertThat(page.body().indexOf("request.created"))
                .as("newest first")
                .isLessThan(page.body().indexOf("policy.loaded"));
        HttpResponse<String> policyOnly = get("/console/audit?type=policy.", session);
        assertThat(policyOnly.body()).contains("<td>policy.loaded</td>").doesNotContain("<td>request.created</td>");
        HttpResponse<String> oneRequest = get("/console/audit?request=" + id, session);
        assertThat(oneRequest.body()).contains("<td>request.created</td>").doesNotContain("<td>policy.loaded</td>");
    }

    @Test
    void auditPage_isForAuditorsAndAdmins_otherHumansSeeTheConsolesRefusal() throws Exception {
        String session = signIn(gateway.human("carol", "data-owners"));

        HttpResponse<String> page = get("/console/audit", session);

        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("Not allowed").doesNotContain("policy.loaded");
    }

    @Test
    void auditExport_download_verifiesOfflineWithTheCommandLine() throws Exception {
        String agent = gateway.agent("reporter");
        gateway.http.post(
                "/v1/actions", agent, json("action", "db.export", "resource", "db/prod/customers", "reason", "r"));
        String session = signIn(gateway.human("bob", "data-owners", TestGateway.AUDITORS));
        String key = gateway.http.get("/v1/audit/key", null).body().strip();
        Thread.sleep(1_500); // a checkpoint covers the entries within a second

        HttpResponse<byte[]> export = client.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/console/audit/export"))
                        .header("Cookie", session)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        Path file = directory.resolve("console.export");
        Files.write(file, export.body());

        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("attachment;"));
        Cli.Run verified = Cli.run(
                "audit",
                "verify",
                "--export",
                file.toString(),
                "--key",
                key,
                "--state",
                directory.resolve("state").toString());
        assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();
    }

    @Test
    void policyPage_showsTheActivePolicy_andSimulatesAnActionWithoutRecordingIt() {
        String session = signIn(gateway.human("bob", "data-owners"));
        HttpResponse<String> page = get("/console/policy", session);
        long before = gateway.http
                .get("/v1/approvals", gateway.human("carol", "data-owners"))
                .json()
                .path("items")
                .size();

        HttpResponse<String> simulated = postForm(
                "/console/policy/simulate",
                session,
                Map.of(
                        "csrf",
                        csrf(page),
                        "action",
                        "db.export",
                        "resource",
                        "db/prod/customers",
                        "agent",
                        "reporter",
                        "params",
                        "{\"format\": \"csv\"}"));
        HttpResponse<String> badParams = postForm(
                "/console/policy/simulate",
                session,
                Map.of("csrf", csrf(page), "action", "db.export", "resource", "db/prod/customers", "params", "[1, 2"));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("exports-need-a-data-owner", "sha256:", "<td>policy.loaded</td>");
        assertThat(simulated.statusCode()).isEqualTo(200);
        assertThat(simulated.body())
                .contains("<dd id=\"sim-effect\">require_approval</dd>", "exports-need-a-data-owner");
        assertThat(badParams.statusCode()).isEqualTo(422);
        assertThat(badParams.body()).contains("params are not JSON");
        assertThat(gateway.http
                        .get("/v1/approvals", gateway.human("dave", "data-owners"))
                        .json()
                        .path("items")
                        .size())
                .isEqualTo(before);
    }

    @Test
    void policyPage_listsTrippedBreakers() {
        try (SqliteStore store = SqliteStore.open(gateway.data())) {
            store.transact(tx -> tx.tripBreaker(new TrippedBreaker(
                    "cleaner",
                    "deletes",
                    Instant.parse("2026-11-24T09:00:03Z"),
                    21,
                    Duration.ofMinutes(1),
                    Optional.of("req-1"))));
        }
        String session = signIn(gateway.human("bob", "data-owners"));

        HttpResponse<String> page = get("/console/policy", session);

        assertThat(page.body())
                .contains(
                        "id=\"tripped-breakers\"",
                        "<td>cleaner</td><td>deletes</td><td>2026-11-24T09:00:03Z</td><td>21</td>");
    }

    @Test
    void sessionCookie_isSecure_whenTheConsoleIsServedOverTls() throws IOException {
        gateway.close();
        Path policy = directory.resolve("tls-policy.yaml");
        try (InputStream in = ConsoleSessionTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        ServerConfig https = ServerConfig.defaults()
                .withPort(0)
                .withDataDirectory(directory.resolve("tls-data"))
                .withPolicyFile(policy)
                .withBaseUrl("https://countersign.example.com");
        try (Gateway tls = Gateway.start(https, Clock.systemUTC())) {
            HttpResponse<String> form =
                    send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tls.port() + "/console/sign-in")));
            assertThat(setCookie(form, "countersign_signin").orElseThrow())
                    .contains("Secure", "HttpOnly", "SameSite=Lax");
        } finally {
            gateway = new TestGateway(directory);
        }
    }
}
