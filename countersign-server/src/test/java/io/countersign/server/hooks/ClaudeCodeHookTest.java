package io.countersign.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.cli.HookCommand;
import io.countersign.server.config.ServerConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Claude Code PreToolUse hook, as an http hook on the gateway and as the {@code countersign hook claude-code} command. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class ClaudeCodeHookTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private Gateway gateway;
    private Path data;
    private String agentToken;
    private String opsToken;

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        data = directory.resolve("data");
        Path policy = directory.resolve("policy.yaml");
        try (InputStream in = ClaudeCodeHookTest.class.getResourceAsStream("/mcp/mcp-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        gateway = Gateway.start(
                ServerConfig.defaults()
                        .withDataDirectory(data)
                        .withPolicyFile(policy)
                        .withPort(0),
                Clock.systemUTC());
        agentToken = issue(new Agent("claude", Map.of()));
        opsToken = issue(new Human("oscar", "oscar@example.com", Set.of("ops")));
    }

    @AfterAll
    void stop() {
        callers.shutdownNow();
        if (gateway != null) gateway.close();
    }

    @Test
    void allowedTool_answersAllow_withTheRule() throws Exception {
        JsonNode output = post(hookInput("Read", "{\"file_path\":\"/repo/README.md\"}"), "50s")
                .path("hookSpecificOutput");

        assertThat(output.path("hookEventName").asString()).isEqualTo("PreToolUse");
        assertThat(output.path("permissionDecision").asString()).isEqualTo("allow");
        assertThat(output.path("permissionDecisionReason").asString()).contains("claude-may-read");
    }

    @Test
    void deniedTool_answersDeny_withThePolicyReason() throws Exception {
        JsonNode output =
                post(hookInput("Bash", "{\"command\":\"rm -rf /\"}"), "50s").path("hookSpecificOutput");

        assertThat(output.path("permissionDecision").asString()).isEqualTo("deny");
        assertThat(output.path("permissionDecisionReason").asString()).contains("no recursive deletes");
    }

    @Test
    void unknownTool_isDeniedByDefault() throws Exception {
        JsonNode output = post(hookInput("WebFetch", "{\"url\":\"https://example.com\"}"), "50s")
                .path("hookSpecificOutput");

        assertThat(output.path("permissionDecision").asString()).isEqualTo("deny");
    }

    @Test
    void toolNeedingApproval_undecidedWithinTheWait_answersAsk() throws Exception {
        JsonNode output = post(hookInput("Bash", "{\"command\":\"deploy staging\"}"), "1s")
                .path("hookSpecificOutput");

        assertThat(output.path("permissionDecision").asString()).isEqualTo("ask");
        assertThat(output.path("permissionDecisionReason").asString())
                .contains("waiting for approval")
                .contains("ops");
    }

    @Test
    void toolNeedingApproval_approvedWhileTheHookWaits_answersAllow() throws Exception {
        CompletableFuture<JsonNode> hook = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return post(hookInput("Bash", "{\"command\":\"deploy production\"}"), "30s");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                callers);
        String id = awaitPending("deploy production");

        HttpResponse<String> approved = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/actions/" + id + "/approve"))
                        .header("Authorization", "Bearer " + opsToken)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(approved.statusCode()).isEqualTo(200);
        JsonNode answer = hook.get(30, TimeUnit.SECONDS).path("hookSpecificOutput");
        assertThat(answer.path("permissionDecision").asString()).isEqualTo("allow");
        assertThat(answer.path("permissionDecisionReason").asString()).contains("approved by oscar");
    }

    @Test
    void malformedHookJson_isABadRequestNamingTheField() throws Exception {
        HttpResponse<String> response = raw("{\"hook_event_name\":\"PreToolUse\",\"tool_input\":{}}", agentToken);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("tool_name");
        assertThat(raw("not json", agentToken).statusCode()).isEqualTo(400);
    }

    @Test
    void hookRoute_refusesHumans() throws Exception {
        assertThat(raw(hookInput("Read", "{}"), opsToken).statusCode()).isEqualTo(403);
    }

    @Test
    void command_printsTheGatewaysAnswer() throws Exception {
        JsonNode output = MAPPER.readTree(HookCommand.answer(
                        gateway.baseUrl(),
                        agentToken,
                        hookInput("Bash", "{\"command\":\"rm -rf /tmp/x\"}"),
                        Duration.ofSeconds(5)))
                .path("hookSpecificOutput");

        assertThat(output.path("permissionDecision").asString()).isEqualTo("deny");
        assertThat(output.path("permissionDecisionReason").asString()).contains("no recursive deletes");
        JsonNode allowed = MAPPER.readTree(HookCommand.answer(
                        gateway.baseUrl(),
                        agentToken,
                        hookInput("Read", "{\"file_path\":\"/a\"}"),
                        Duration.ofSeconds(5)))
                .path("hookSpecificOutput");
        assertThat(allowed.path("permissionDecision").asString()).isEqualTo("allow");
    }

    @Test
    void command_whenTheGatewayIsUnreachable_deniesAndSaysSo() throws Exception {
        JsonNode output = MAPPER.readTree(HookCommand.answer(
                        "http://127.0.0.1:1", agentToken, hookInput("Read", "{}"), Duration.ofSeconds(5)))
                .path("hookSpecificOutput");

        assertThat(output.path("hookEventName").asString()).isEqualTo("PreToolUse");
        assertThat(output.path("permissionDecision").asString()).isEqualTo("deny");
        assertThat(output.path("permissionDecisionReason").asString())
                .contains("unreachable")
                .contains("127.0.0.1:1");
    }

    @Test
    void command_againstAGatewayThatNeverAnswers_deniesWithinItsWaitPlusTheMargin() throws Exception {
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // Accepts connections (the backlog does) and never answers.
            long started = System.nanoTime();
            JsonNode output = MAPPER.readTree(HookCommand.answer(
                            "http://127.0.0.1:" + silent.getLocalPort(),
                            agentToken,
                            hookInput("Read", "{}"),
                            Duration.ofSeconds(2)))
                    .path("hookSpecificOutput");
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(output.path("permissionDecision").asString()).isEqualTo("deny");
            assertThat(output.path("permissionDecisionReason").asString()).contains("did not answer within 5 s");
            // A deadline, not a benchmark: the old hook took its wait plus 15 s here.
            assertThat(took)
                    .isLessThan(Duration.ofSeconds(2)
                            .plus(HookCommand.ANSWER_MARGIN)
                            .plusSeconds(5));
        }
    }

    @Test
    void httpHook_takesItsWaitInMinutes() {
        assertThat(ClaudeCodeRoutes.waitOf("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(ClaudeCodeRoutes.waitOf("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(ClaudeCodeRoutes.waitOf("90m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(ClaudeCodeRoutes.waitOf("500ms")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void command_withABadKey_denies() throws Exception {
        JsonNode output = MAPPER.readTree(HookCommand.answer(
                        gateway.baseUrl(), "csk_not-a-key", hookInput("Read", "{}"), Duration.ofSeconds(5)))
                .path("hookSpecificOutput");

        assertThat(output.path("permissionDecision").asString()).isEqualTo("deny");
        assertThat(output.path("permissionDecisionReason").asString()).contains("HTTP 401");
    }

    private static String hookInput(String tool, String input) {
        return "{\"session_id\":\"abc123\",\"transcript_path\":\"/home/u/.claude/projects/x.jsonl\",\"cwd\":\"/home/u/repo\","
                + "\"permission_mode\":\"default\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"" + tool
                + "\",\"tool_input\":" + input
                + ",\"tool_use_id\":\"toolu_01\"}";
    }

    private JsonNode post(String body, String wait) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + ClaudeCodeRoutes.PATH + "?wait=" + wait))
                        .header("Authorization", "Bearer " + agentToken)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private HttpResponse<String> raw(String body, String token) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + ClaudeCodeRoutes.PATH))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String awaitPending(String command) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            JsonNode inbox = MAPPER.readTree(HTTP.send(
                            HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/approvals?status=pending"))
                                    .header("Authorization", "Bearer " + opsToken)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            for (JsonNode item : inbox.path("items")) {
                if (command.equals(
                        item.path("action").path("params").path("command").asString())) {
                    return item.get("id").asString();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no pending '" + command + "' after 20 s");
    }

    private String issue(Principal principal) {
        return TestCredentials.issue(data, principal);
    }
}
