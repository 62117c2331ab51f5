package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Resource subscriptions over {@code countersign mcp --stdio}, in front of {@code server-everything}
 * (which, once its tool {@code toggle-subscriber-updates} is called, reports an update of each URI
 * its client subscribed to at once and then every 5 seconds): the agent subscribes through the
 * gateway, gets {@code notifications/resources/updated} through it, and after unsubscribing gets
 * no more.
 */
final class McpStdioSubscriptionsTest {
    private static final String URI = "demo://resource/static/document/architecture.md";
    /** server-everything's interval between updates is 5 s: two of them, and a margin. */
    private static final Duration QUIET = Duration.ofSeconds(12);

    @Test
    void anAgentOverStdio_subscribes_getsTheUpstreamsUpdates_andUnsubscribes(@TempDir Path directory) throws Exception {
        NpmServers.folder();
        StdioGatewaySetup setup = StdioGatewaySetup.write(directory, Map.of("everything", NpmServers.everything()), "");
        try (StdioGatewayProcess gateway =
                new StdioGatewayProcess(setup.parameters(setup.issue(new Agent("desktop", Map.of()))))) {
            JsonNode initialized = gateway.initialize();
            assertThat(initialized
                            .path("capabilities")
                            .path("resources")
                            .path("subscribe")
                            .asBoolean())
                    .as(initialized.toString())
                    .isTrue();

            gateway.send(request(1, "resources/subscribe", "{\"uri\":\"" + URI + "\"}"));
            assertThat(answer(gateway, 1).path("result").isObject()).isTrue();
            gateway.send(request(2, "tools/call", "{\"name\":\"toggle-subscriber-updates\",\"arguments\":{}}"));
            List<JsonNode> before = new ArrayList<>();
            JsonNode toggled = answer(gateway, 2, before);
            assertThat(toggled.path("result").path("isError").asBoolean())
                    .as(toggled.toString())
                    .isFalse();

            assertThat(before.stream().anyMatch(McpStdioSubscriptionsTest::updateOfTheUri) || awaitUpdate(gateway))
                    .as("an update of %s reached the agent", URI)
                    .isTrue();

            gateway.send(request(3, "resources/unsubscribe", "{\"uri\":\"" + URI + "\"}"));
            assertThat(answer(gateway, 3).path("result").isObject()).isTrue();
            // One update may have been on its way as the unsubscribe went upstream; after that, none.
            drain(gateway, Duration.ofSeconds(1));
            List<JsonNode> after = drain(gateway, QUIET);
            assertThat(after)
                    .as("messages in the %s after unsubscribing", QUIET)
                    .noneMatch(McpStdioSubscriptionsTest::updateOfTheUri);
        }
    }

    private static boolean updateOfTheUri(JsonNode message) {
        return "notifications/resources/updated".equals(message.path("method").asString(""))
                && URI.equals(message.path("params").path("uri").asString(""));
    }

    /** Reads until an update of {@link #URI} comes, for up to 30 s. */
    private static boolean awaitUpdate(StdioGatewayProcess gateway) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            Optional<JsonNode> message = gateway.poll(Duration.ofSeconds(1));
            if (message.isPresent() && updateOfTheUri(message.get())) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode answer(StdioGatewayProcess gateway, int id) throws Exception {
        return answer(gateway, id, new ArrayList<>());
    }

    /** The answer to request {@code id}; the notifications that came before it go to {@code others}. */
    private static JsonNode answer(StdioGatewayProcess gateway, int id, List<JsonNode> others) throws Exception {
        while (true) {
            JsonNode message = gateway.next();
            if (message.has("id") && message.path("id").asInt(-1) == id && !message.has("method")) {
                return message;
            }
            others.add(message);
        }
    }

    private static List<JsonNode> drain(StdioGatewayProcess gateway, Duration during) throws InterruptedException {
        List<JsonNode> messages = new ArrayList<>();
        long until = System.nanoTime() + during.toNanos();
        while (System.nanoTime() < until) {
            gateway.poll(Duration.ofMillis(200)).ifPresent(messages::add);
        }
        return messages;
    }

    private static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }
}
