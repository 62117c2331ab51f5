package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code countersign mcp --stdio} fails closed and keeps serving: each bad line gets the JSON-RPC
 * error the spec names and the next line is served; the process exits when stdin closes and frees
 * its port; a call held when stdin closes, or when the process is killed, is cancelled and can't be
 * approved, so the file is never written.
 */
final class McpStdioFailClosedTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void badLinesGetJsonRpcErrors_theNextLineIsServed_andClosingStdinEndsTheProcessAndFreesItsPort(
            @TempDir Path directory) throws Exception {
        NpmServers.folder();
        StdioGatewaySetup setup = StdioGatewaySetup.write(directory, Map.of("everything", NpmServers.everything()), "");
        try (StdioGatewayProcess gateway =
                new StdioGatewayProcess(setup.parameters(setup.issue(new Agent("desktop", Map.of()))))) {
            String approvals = gateway.baseUrl();
            gateway.send("this is not json");
            assertThat(gateway.next().path("error").path("code").asInt()).isEqualTo(-32700);
            // The upstream's instructions reach the agent.
            assertThat(gateway.initialize().path("instructions").asString()).contains("Everything Server");
            gateway.send("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}]");
            assertThat(gateway.next().path("error").path("code").asInt()).isEqualTo(-32600);
            gateway.send("{\"jsonrpc\":\"2.0\",\"id\":2}");
            JsonNode noMethod = gateway.next();
            assertThat(noMethod.path("error").path("code").asInt()).isEqualTo(-32600);
            assertThat(noMethod.path("id").asInt()).isEqualTo(2);
            gateway.send("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"tools/list\"}");
            assertThat(gateway.next().path("error").path("code").asInt()).isEqualTo(-32600);
            gateway.send(
                    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":[1]}}");
            assertThat(gateway.next().path("error").path("code").asInt()).isEqualTo(-32602);

            gateway.send(
                    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"still here\"}}}");
            JsonNode echoed = gateway.next();
            assertThat(echoed.path("id").asInt()).isEqualTo(4);
            assertThat(echoed.path("result").path("content").get(0).path("text").asString())
                    .contains("still here");

            gateway.closeStdin();
            assertThat(gateway.exitsWithin(60))
                    .as("the gateway exits when stdin closes")
                    .isTrue();
            assertThat(gateway.exitCode()).isZero();
            assertThatThrownBy(() -> HTTP.send(
                            HttpRequest.newBuilder(URI.create(approvals + "/healthz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .as("its port is free")
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aCallHeldWhenStdinCloses_isCancelled_andCanNotBeApproved(@TempDir Path directory) throws Exception {
        heldThenGone(directory, false, "closed the stdio session");
    }

    @Test
    void aCallHeldWhenTheGatewayIsKilled_isCancelledAtTheNextStart_andCanNotBeApproved(@TempDir Path directory)
            throws Exception {
        heldThenGone(directory, true, "exited");
    }

    private static void heldThenGone(Path directory, boolean kill, String why) throws Exception {
        NpmServers.folder();
        Path share = Files.createDirectories(directory.resolve("share"));
        Path target = share.resolve("held.txt");
        StdioGatewaySetup setup = StdioGatewaySetup.write(directory, Map.of("files", NpmServers.filesystem(share)), "");
        String agent = setup.issue(new Agent("desktop", Map.of()));
        String approver = setup.issue(new Human("olga", "olga@example.com", java.util.Set.of("file-owners")));
        String id;
        try (StdioGatewayProcess gateway = new StdioGatewayProcess(setup.parameters(agent))) {
            String approvals = gateway.baseUrl();
            gateway.initialize();
            gateway.send(
                    "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"write_file\",\"arguments\":"
                            + McpTestGateway.MAPPER.writeValueAsString(
                                    Map.of("path", target.toString(), "content", "nobody waits for this"))
                            + "}}");
            id = awaitPending(approvals, approver, target);
            if (kill) {
                gateway.kill();
            } else {
                gateway.closeStdin();
                assertThat(gateway.exitsWithin(60))
                        .as("the gateway exits when stdin closes")
                        .isTrue();
            }
        }
        // The next gateway on this data folder (a restart, or 'serve' beside it).
        try (McpTestGateway next = new McpTestGateway(
                directory,
                new McpConfig(
                        Map.of("files", NpmServers.filesystem(share)), java.util.Set.of(), Duration.ofSeconds(10)))) {
            String owner = approver;
            JsonNode request = McpAbandonedCallTest.awaitDecided(next, owner, id);
            assertThat(request.path("status").asString()).isEqualTo("cancelled");
            assertThat(request.path("resolution").asString()).contains(why);
            assertThat(next.post("/v1/actions/" + id + "/approve", owner, "{}").statusCode())
                    .isEqualTo(409);
        }
        assertThat(target).doesNotExist();
    }

    /** The request of the held write, from the inbox of the stdio gateway's API. */
    private static String awaitPending(String baseUrl, String humanToken, Path target) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            HttpResponse<String> inbox = HTTP.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/v1/approvals?status=pending"))
                            .header("Authorization", "Bearer " + humanToken)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode request : McpTestGateway.MAPPER.readTree(inbox.body()).path("items")) {
                if (target.toString()
                        .equals(request.path("action")
                                .path("params")
                                .path("path")
                                .asString())) {
                    return request.get("id").asString();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending write of " + target + " after 60 s");
    }
}
