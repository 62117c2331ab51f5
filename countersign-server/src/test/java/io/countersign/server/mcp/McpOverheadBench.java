package io.countersign.server.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allow path's overhead, measured side by side in one run: the same Java SDK client over
 * Streamable HTTP calls {@code echo} on server-everything (Streamable HTTP) directly, and through
 * the gateway's {@code /mcp} (policy, audit, grant, execution report) in front of that same server.
 * Not part of the test run; by hand:
 *
 * <pre>./mvnw -o -pl countersign-server test -Dtest=McpOverheadBench -Dcountersign.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "countersign.bench", matches = "true")
final class McpOverheadBench {
    private static final int WARMUP = 300;
    private static final int CALLS = 2000;

    @Test
    void allowPath_overheadAgainstTheUpstreamDirectly(@TempDir Path directory) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder("node", NpmServers.script("server-everything", "dist/index.js").toString(), "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        Process upstream = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitPort(port);
            String url = "http://127.0.0.1:" + port;
            try (McpTestGateway gateway = new McpTestGateway(directory, new McpConfig(
                    Map.of("everything", new UpstreamConfig.Http(URI.create(url + "/mcp"), Map.of())), Set.of(), Duration.ofSeconds(30)))) {
                McpSyncClient direct = client(url, Map.of());
                McpSyncClient through = gateway.httpClient(gateway.agent("bench"));
                McpSchema.CallToolRequest call = new McpSchema.CallToolRequest("echo", Map.of("message", "bench"));
                for (int i = 0; i < WARMUP; i++) {
                    direct.callTool(call);
                    through.callTool(call);
                }
                long[] directNanos = new long[CALLS];
                long[] throughNanos = new long[CALLS];
                // Interleaved, so both sides see the same machine load.
                for (int i = 0; i < CALLS; i++) {
                    long start = System.nanoTime();
                    direct.callTool(call);
                    directNanos[i] = System.nanoTime() - start;
                    start = System.nanoTime();
                    through.callTool(call);
                    throughNanos[i] = System.nanoTime() - start;
                }
                System.out.printf("mcp allow path, %d calls of echo each, same Java SDK client over Streamable HTTP%n", CALLS);
                System.out.printf("  direct   p50 %.2f ms  p90 %.2f ms  p99 %.2f ms%n", p(directNanos, 50), p(directNanos, 90), p(directNanos, 99));
                System.out.printf("  gateway  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms%n", p(throughNanos, 50), p(throughNanos, 90), p(throughNanos, 99));
                System.out.printf("  overhead p50 %.2f ms%n", p(throughNanos, 50) - p(directNanos, 50));
                direct.closeGracefully();
                through.closeGracefully();
            }
        } finally {
            upstream.destroy();
        }
    }

    private static McpSyncClient client(String url, Map<String, String> headers) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(url).endpoint("/mcp")
                .jsonMapper(new JacksonMcpJsonMapper(McpTestGateway.MAPPER)).build()).requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    private static void awaitPort(int port) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("server-everything did not listen on " + port);
    }

    private static double p(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
    }
}
