package io.countersign.server.cli;

import io.countersign.server.hooks.ClaudeCodeRoutes;
import io.countersign.server.hooks.HookDecision;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign hook claude-code}: Claude Code's PreToolUse command hook. Reads the hook JSON
 * on stdin, asks the gateway, prints the answer on stdout and exits 0. Fails closed: when the
 * gateway can't be reached or answers with an error, the answer is {@code deny}, and says why.
 */
@Command(
        name = "hook",
        description = "Agent hooks. 'countersign hook claude-code' is a Claude Code PreToolUse command hook.")
public final class HookCommand implements Callable<Integer> {
    static final String URL_ENV = "COUNTERSIGN_URL";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Parameters(index = "0", description = "the agent: claude-code")
    String agent;

    @Option(names = "--server", description = "the gateway (default: $" + URL_ENV + ", else http://127.0.0.1:8080)")
    String server;

    @Option(names = "--api-key", description = "the agent's API key (default: $" + McpCommand.API_KEY_ENV + ")")
    String apiKey;

    @Option(
            names = "--wait",
            defaultValue = "50",
            description =
                    "seconds to wait for a human before answering 'ask' (default 50); the hook answers within this plus 3 s, so set the hook's timeout to at least this plus 10")
    int waitSeconds;

    @Override
    public Integer call() throws IOException {
        if (!"claude-code".equals(agent)) {
            throw new IllegalArgumentException("unknown agent '" + agent + "'; hooks exist for: claude-code");
        }
        String input = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        String base = server != null ? server : System.getenv().getOrDefault(URL_ENV, "http://127.0.0.1:8080");
        String key = apiKey != null ? apiKey : System.getenv(McpCommand.API_KEY_ENV);
        System.out.println(
                answer(base.replaceAll("/+$", ""), key, input, Duration.ofSeconds(Math.max(0, waitSeconds))));
        return 0;
    }

    /** How long past {@code --wait} the hook may take for the gateway's answer to arrive: the whole call is {@code --wait} plus this. */
    public static final Duration ANSWER_MARGIN = Duration.ofSeconds(3);

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    public static String answer(String base, String key, String input, Duration wait) {
        if (key == null || key.isBlank()) {
            return deny("Countersign hook has no API key: set $" + McpCommand.API_KEY_ENV + "; denying until it does");
        }
        // One deadline for connecting, waiting and reading the answer: Claude Code runs the tool when a
        // hook times out, so this must answer (deny) before the hook's "timeout", which leaves room for it.
        Duration budget = wait.plus(ANSWER_MARGIN);
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(CONNECT_TIMEOUT.compareTo(budget) < 0 ? CONNECT_TIMEOUT : budget)
                    .build();
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(base + ClaudeCodeRoutes.PATH + "?wait=" + wait.toSeconds() + "s"))
                    .timeout(budget)
                    .header("Authorization", "Bearer " + key.trim())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(input))
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return response.body();
            }
            return deny("Countersign gateway at " + base + " refused the hook with HTTP " + response.statusCode() + ": "
                    + detail(response.body()));
        } catch (java.net.http.HttpTimeoutException e) {
            return deny("Countersign gateway at " + base + " did not answer within " + budget.toSeconds()
                    + " s (--wait " + wait.toSeconds() + " plus " + ANSWER_MARGIN.toSeconds() + "); denying");
        } catch (IOException | IllegalArgumentException e) {
            return deny("Countersign gateway at " + base + " is unreachable ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); denying every tool call until it answers");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return deny("Countersign hook was interrupted while asking " + base);
        }
    }

    private static String detail(String body) {
        try {
            return MAPPER.readTree(body).path("detail").asString(body);
        } catch (RuntimeException e) {
            return body;
        }
    }

    private static String deny(String reason) {
        return ClaudeCodeRoutes.render(MAPPER, new HookDecision(HookDecision.Permission.DENY, reason));
    }
}
