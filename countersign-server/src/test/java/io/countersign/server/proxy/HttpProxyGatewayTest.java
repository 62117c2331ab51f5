package io.countersign.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.config.ConfigFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign serve} with {@code proxies.http} from a config file, in front of a local
 * upstream that records what it receives. curl, Python's urllib and Node's fetch each get the
 * upstream's answer while the upstream sees the gateway's credential and never the agent's key;
 * a denial, a hold that a human approves or denies, and a retry with a changed body; path escapes,
 * a slow and a dead upstream, malformed and oversized requests: each a clear problem+json, and the
 * gateway keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpProxyGatewayTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SECRET = "upstream-secret-7f3a";

    @TempDir
    static Path directory;

    RecordingUpstream upstream;
    Gateway gateway;
    String agentKey;
    String maintainer;

    @BeforeAll
    void start() throws Exception {
        upstream = new RecordingUpstream();
        int dead;
        try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = closed.getLocalPort();
        }
        Path folder = directory.resolve("gateway");
        Files.createDirectories(folder);
        Files.writeString(
                folder.resolve("policy.yaml"),
                new String(
                        HttpProxyGatewayTest.class
                                .getResourceAsStream("/http-proxy-policy.yaml")
                                .readAllBytes(),
                        StandardCharsets.UTF_8));
        Path config = folder.resolve("countersign.yaml");
        Files.writeString(config, """
                server: {port: 0}
                data: ./data
                policy: ./policy.yaml
                proxies:
                  http:
                    - name: github
                      upstream: http://127.0.0.1:%1$d/api
                      credentials: {header: Authorization, prefix: "Bearer ", valueEnv: UPSTREAM_TOKEN}
                      maxBodyBytes: 4096
                      maxJsonBytes: 1024
                    - name: basic
                      upstream: http://127.0.0.1:%1$d
                      credentials: {basic: svc, valueEnv: UPSTREAM_TOKEN}
                    - name: keyed
                      upstream: http://127.0.0.1:%1$d
                      credentials: {query: api_key, valueEnv: UPSTREAM_TOKEN}
                    - name: slow
                      upstream: http://127.0.0.1:%1$d
                      credentials: {query: api_key, valueEnv: UPSTREAM_TOKEN}
                      timeout: 1s
                    - name: dead
                      upstream: http://127.0.0.1:%2$d
                      credentials: {query: api_key, valueEnv: UPSTREAM_TOKEN}
                """.formatted(upstream.port(), dead));
        gateway = Gateway.start(
                ConfigFile.load(config),
                Clock.systemUTC(),
                name -> name.equals("UPSTREAM_TOKEN") ? Optional.of(SECRET) : Optional.empty());
        agentKey = TestCredentials.issue(folder.resolve("data"), Agent.named("coder"));
        maintainer = TestCredentials.issue(
                folder.resolve("data"), new Human("mia", "mia@example.com", Set.of("maintainers")));
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void forget() {
        upstream.clear();
    }

    @ParameterizedTest
    @EnumSource(HttpClients.class)
    void anAllowedGetReachesTheUpstreamWithItsCredentialAndNeverTheAgentsKey(HttpClients client) throws Exception {
        client.requireInstalled();
        HttpClients.Answer answer = client.send(
                "GET",
                url("/proxy/github/repos/acme/api/pulls?state=open&per_page=5"),
                Map.of("Authorization", "Bearer " + agentKey, "Accept", "application/json", "X-Not-Listed", "dropped"),
                new byte[0],
                directory.resolve("scratch"));

        assertThat(answer.status()).as(answer.all()).isEqualTo(200);
        assertThat(answer.body()).contains("GET /api/repos/acme/api/pulls");
        assertThat(answer.headers()).containsEntry("x-upstream", "recorded").doesNotContainKey("proxy-authenticate");
        assertThat(answer.all()).doesNotContain(SECRET);
        RecordingUpstream.Received received = upstream.received().getFirst();
        assertThat(upstream.received()).hasSize(1);
        assertThat(received.uri()).isEqualTo("/api/repos/acme/api/pulls?state=open&per_page=5");
        assertThat(received.header("authorization")).isEqualTo("Bearer " + SECRET);
        assertThat(received.header("accept")).isEqualTo("application/json");
        assertThat(received.headers()).doesNotContainKey("x-not-listed");
        assertThat(received.all()).doesNotContain(agentKey);
    }

    @Test
    void anAllowedHeadAnswersTheUpstreamsHeadersAndLength_withNoBody() throws Exception {
        String direct = rawTo(
                upstream.port(), "HEAD /api/repos/acme/api HTTP/1.1\r\nHost: upstream\r\nConnection: close\r\n\r\n");
        upstream.clear();

        Raw proxied = raw("HEAD /proxy/github/repos/acme/api HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer "
                + agentKey + "\r\nConnection: close\r\n\r\n");

        assertThat(proxied.status()).as(proxied.text()).isEqualTo(200);
        assertThat(proxied.text()).containsIgnoringCase("X-Upstream: recorded");
        assertThat(headerOf(direct, "content-length")).as(direct).isNotIn("(none)", "0");
        assertThat(headerOf(proxied.text(), "content-length")).isEqualTo(headerOf(direct, "content-length"));
        assertThat(proxied.text()).as("a HEAD answer has no body").endsWith("\r\n\r\n");
        assertThat(upstream.received()).singleElement().satisfies(received -> {
            assertThat(received.method()).isEqualTo("HEAD");
            assertThat(received.header("authorization")).isEqualTo("Bearer " + SECRET);
        });
    }

    @Test
    void optionsIsDecidedLikeAnyMethod_allowedByItsRule_deniedByDefaultElsewhere() throws Exception {
        HttpResponse<String> allowed = send("OPTIONS", "/proxy/basic/things", "", Map.of());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(upstream.received()).singleElement().satisfies(received -> assertThat(received.method())
                .isEqualTo("OPTIONS"));
        upstream.clear();

        HttpResponse<String> denied = send("OPTIONS", "/proxy/github/repos/acme/api", "", Map.of());
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
        assertThat(denied.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void basicAndQueryCredentialsAreInjected_andTheAgentCannotChooseTheQueryKey() throws Exception {
        assertThat(get("/proxy/basic/status", agentKey).statusCode()).isEqualTo(200);
        assertThat(upstream.received().getLast().header("authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString(("svc:" + SECRET).getBytes(StandardCharsets.UTF_8)));

        HttpResponse<String> keyed = get("/proxy/keyed/maps?api_key=the-agents-own&q=x", agentKey);
        assertThat(keyed.statusCode()).isEqualTo(200);
        assertThat(keyed.body()).doesNotContain(SECRET);
        RecordingUpstream.Received received = upstream.received().getLast();
        assertThat(received.uri()).isEqualTo("/maps?q=x&api_key=" + SECRET);
        assertThat(received.all()).doesNotContain(agentKey).doesNotContain("the-agents-own");
    }

    @ParameterizedTest
    @EnumSource(HttpClients.class)
    void aDeniedRequestIs403NamingTheRule_andNeverReachesTheUpstream(HttpClients client) throws Exception {
        client.requireInstalled();
        HttpClients.Answer answer = client.send(
                "DELETE",
                url("/proxy/github/repos/acme/api"),
                Map.of("Authorization", "Bearer " + agentKey),
                new byte[0],
                directory.resolve("scratch"));

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.headers().get("content-type")).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.path("detail").asString()).contains("no-deletes").contains("never delete");
        assertThat(problem.path("rules").toString()).contains("no-deletes");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aJsonBodyIsReadByTheRule_andAnotherBodyIsDenied() throws Exception {
        HttpResponse<String> main =
                send("POST", "/proxy/github/repos/acme/api/issues", "{\"ref\": \"main\"}", Map.of());
        assertThat(main.statusCode()).as(main.body()).isEqualTo(201);
        assertThat(new String(upstream.received().getLast().body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"ref\": \"main\"}");

        HttpResponse<String> dev = send("POST", "/proxy/github/repos/acme/api/issues", "{\"ref\": \"dev\"}", Map.of());
        assertThat(dev.statusCode()).isEqualTo(403);
        assertThat(upstream.received()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(HttpClients.class)
    void aHeldRequestIs202_thenRunsOnceOnTheRetryAfterAnApproval(HttpClients client) throws Exception {
        client.requireInstalled();
        String body = "{\"merge_method\": \"squash\", \"client\": \"" + client + "\"}";
        Map<String, String> headers = new LinkedHashMap<>(
                Map.of("Authorization", "Bearer " + agentKey, "Content-Type", "application/json", "Prefer", "wait=1"));
        String path = url("/proxy/github/repos/acme/api/pulls/7/merge");
        Path scratch = directory.resolve("scratch");
        HttpClients.Answer held = client.send("PUT", path, headers, bytes(body), scratch);

        assertThat(held.status()).as(held.all()).isEqualTo(202);
        JsonNode problem = JSON.readTree(held.body());
        String request = problem.path("countersignRequest").asString();
        assertThat(held.headers()).containsEntry("countersign-request", request);
        assertThat(problem.path("consoleUrl").asString()).endsWith("/console/requests/" + request);
        assertThat(problem.path("detail").asString()).contains("merges-need-a-maintainer");
        assertThat(upstream.received()).isEmpty();

        assertThat(decide(request, "approve").statusCode()).isEqualTo(200);
        headers.put("Countersign-Request", request);
        HttpClients.Answer ran = client.send("PUT", path, headers, bytes(body), scratch);
        assertThat(ran.status()).as(ran.all()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().getFirst().body()).isEqualTo(bytes(body));

        HttpClients.Answer again = client.send("PUT", path, headers, bytes(body), scratch);
        assertThat(again.status()).isEqualTo(409);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aHeldRequestDeniedByAHumanIs403OnTheRetry_andNeverRuns() throws Exception {
        String path = "/proxy/github/repos/acme/api/pulls/8/merge";
        HttpResponse<String> held = send("PUT", path, "{}", Map.of("Prefer", "wait=0"));
        assertThat(held.statusCode()).isEqualTo(202);
        String request = JSON.readTree(held.body()).path("countersignRequest").asString();
        assertThat(decide(request, "deny").statusCode()).isEqualTo(200);

        HttpResponse<String> retry = send("PUT", path, "{}", Map.of("Countersign-Request", request));
        assertThat(retry.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(retry.body()).path("detail").asString()).contains("mia denied");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aRetryWithAChangedBodyIsRefused_andTheApprovedOneStillRunsOnce() throws Exception {
        String path = "/proxy/github/repos/acme/api/pulls/9/merge";
        HttpResponse<String> held = send("PUT", path, "{\"sha\": \"abc\"}", Map.of("Prefer", "wait=0"));
        String request = JSON.readTree(held.body()).path("countersignRequest").asString();
        assertThat(decide(request, "approve").statusCode()).isEqualTo(200);

        for (String changed : List.of("{\"sha\": \"evil\"}", "{\"sha\":\"abc\"}", "")) {
            HttpResponse<String> refused = send("PUT", path, changed, Map.of("Countersign-Request", request));
            assertThat(refused.statusCode()).as(changed).isEqualTo(409);
            assertThat(JSON.readTree(refused.body()).path("type").asString()).endsWith("request-changed");
        }
        HttpResponse<String> otherPath =
                send("PUT", path.replace("/9/", "/10/"), "{\"sha\": \"abc\"}", Map.of("Countersign-Request", request));
        assertThat(otherPath.statusCode()).isEqualTo(409);
        assertThat(upstream.received()).isEmpty();

        HttpResponse<String> ran = send("PUT", path, "{\"sha\": \"abc\"}", Map.of("Countersign-Request", request));
        assertThat(ran.statusCode()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void anApprovalWhileTheAgentWaitsAnswersTheSameRequest() throws Exception {
        String path = "/proxy/github/repos/acme/api/pulls/11/merge";
        CompletableFuture<HttpResponse<String>> waiting =
                CompletableFuture.supplyAsync(() -> sendUnchecked("PUT", path, "{}", Map.of("Prefer", "wait=60")));
        String request = awaitPending("pulls/11");
        assertThat(waiting).isNotDone();
        assertThat(decide(request, "approve").statusCode()).isEqualTo(200);
        assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /proxy/github/../admin HTTP/1.1",
                "GET /proxy/github/repos/../../admin HTTP/1.1",
                "GET /proxy/github/%2e%2e/admin HTTP/1.1",
                "GET /proxy/github/%2E%2E/%2e%2e/admin HTTP/1.1",
                "GET /proxy/github/.%2e/admin HTTP/1.1",
                "GET /proxy/github/repos%2f..%2fadmin HTTP/1.1",
                "GET /proxy/github/a%5c..%5cadmin HTTP/1.1",
                "GET /proxy/github//evil.example/x HTTP/1.1",
                "GET /proxy/github/https://evil.example/x HTTP/1.1",
                "GET http://evil.example/proxy/github/x HTTP/1.1",
                "GET /proxy/github/x%00y HTTP/1.1",
                "GET /proxy/nowhere/x HTTP/1.1",
                "GET /proxy/github HTTP/1.1"
            })
    void aPathEscapeIs400Or404_andReachesNoHost(String requestLine) throws Exception {
        Raw answer = raw(requestLine + "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + agentKey
                + "\r\nConnection: close\r\n\r\n");
        assertThat(answer.status()).as(answer.text()).isIn(400, 404);
        assertThat(answer.text()).contains("application/problem+json").doesNotContain(SECRET);
        assertThat(upstream.received()).isEmpty();
        assertThat(get("/proxy/github/still/serving", agentKey).statusCode()).isEqualTo(200);
    }

    @Test
    void curlsPathAsIsEscapeIsRefusedToo() throws Exception {
        HttpClients.CURL.requireInstalled();
        HttpClients.Answer answer = HttpClients.CURL.send(
                "GET",
                url("/proxy/github/repos/../../../admin"),
                Map.of("Authorization", "Bearer " + agentKey),
                new byte[0],
                directory.resolve("scratch"));
        assertThat(answer.status()).isIn(400, 404);
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aSlowUpstreamIs504_andADeadOneIs502_neitherShowingTheSecret() throws Exception {
        HttpResponse<String> slow = get("/proxy/slow/slow", agentKey);
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(slow.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(slow.body()).doesNotContain(SECRET);

        HttpResponse<String> dead = get("/proxy/dead/anything", agentKey);
        assertThat(dead.statusCode()).isEqualTo(502);
        assertThat(dead.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(dead.body()).doesNotContain(SECRET).contains("dead");
    }

    @Test
    void withoutAnAgentsKeyNothingIsForwarded() throws Exception {
        assertThat(get("/proxy/github/repos", null).statusCode()).isEqualTo(401);
        assertThat(get("/proxy/github/repos", "not-a-key").statusCode()).isEqualTo(401);
        assertThat(get("/proxy/github/repos", maintainer).statusCode()).isEqualTo(403);
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void malformedAndOversizedRequestsGetClearErrors_andTheGatewayKeepsServing() throws Exception {
        String auth = "Authorization: Bearer " + agentKey + "\r\n";
        List<String> requests = List.of(
                "GARBAGE\r\n\r\n",
                "GET /proxy/github/x HTTP/9.9\r\nHost: a\r\n\r\n",
                "POST /proxy/github/repos/acme/api/issues HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Content-Type: application/json\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n"
                        + "x".repeat(5000),
                "POST /proxy/github/repos/acme/api/issues HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n1388\r\n" + "x".repeat(5000)
                        + "\r\n0\r\n\r\n",
                "GET /proxy/github/x HTTP/1.1\r\nHost: a\r\n" + auth + "X-Huge: " + "h".repeat(64 * 1024)
                        + "\r\nConnection: close\r\n\r\n",
                "POST /proxy/github/x HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Content-Length: 10\r\nConnection: close\r\n\r\nshort");
        for (String request : requests) {
            Raw answer = raw(request);
            assertThat(answer.status())
                    .as(request.substring(0, Math.min(60, request.length())))
                    .isBetween(400, 505)
                    .isNotEqualTo(500);
            if (answer.text().contains("Content-Type")) {
                assertThat(answer.text()).contains("application/problem+json");
            }
            assertThat(get("/proxy/github/still/serving", agentKey).statusCode())
                    .isEqualTo(200);
        }
        assertThat(upstream.received())
                .allSatisfy(received -> assertThat(received.uri()).isEqualTo("/api/still/serving"));
    }

    private String url(String path) {
        return gateway.baseUrl() + path;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + agentKey)
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> sendUnchecked(String method, String path, String body, Map<String, String> headers) {
        try {
            return send(method, path, body, headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> decide(String request, String verb) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url("/v1/actions/" + request + "/" + verb)))
                        .header("Authorization", "Bearer " + maintainer)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"comment\": \"checked\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String awaitPending(String marker) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            HttpResponse<String> inbox = get("/v1/approvals?status=pending", maintainer);
            for (JsonNode request : JSON.readTree(inbox.body()).path("items")) {
                if (request.toString().contains(marker)) {
                    return request.path("id").asString();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no request became pending");
    }

    private static String headerOf(String answer, String name) {
        return answer.lines()
                .takeWhile(line -> !line.isEmpty())
                .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":"))
                .map(line -> line.substring(name.length() + 1).trim())
                .findFirst()
                .orElse("(none)");
    }

    private static String rawTo(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    record Raw(int status, String text) {}

    private Raw raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
            socket.setSoTimeout(20_000);
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // The server may answer and close before it read all of it (a 413, a 431).
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (InputStream in = socket.getInputStream()) {
                in.transferTo(bytes);
            } catch (IOException reset) {
                // What arrived before a reset is the answer.
            }
            String text = bytes.toString(StandardCharsets.ISO_8859_1);
            int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : 0;
            return new Raw(status, text);
        }
    }
}
