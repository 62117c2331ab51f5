package io.countersign.server.mcp;

import io.countersign.identity.Agent;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allow path's overhead, measured side by side in one run, on both transports: the same Java
 * SDK client calls {@code echo} on server-everything directly, through a {@link BareMcpProxy} (the
 * gateway's protocol binding and upstream client, deciding nothing) and through the gateway
 * (authentication, policy, the durable decision, grant, execution record). Interleaved, so all
 * three see the same machine load. Not part of the test run; by hand:
 *
 * <pre>./mvnw -o -pl countersign-server -am test -Dtest=McpOverheadBench -Dcountersign.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfSystemProperty(named = "countersign.bench", matches = "true")
final class McpOverheadBench {
    private static final int WARMUP = 300;
    private static final int CALLS = 2000;
    private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(McpTestGateway.MAPPER);

    @Test
    void allowPath_overStreamableHttp(@TempDir Path directory) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(
                "node", NpmServers.script("server-everything", "dist/index.js").toString(), "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        Process upstream = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitPort(port);
            UpstreamConfig.Http everything =
                    new UpstreamConfig.Http(URI.create("http://127.0.0.1:" + port + "/mcp"), Map.of());
            try (McpTestGateway gateway = new McpTestGateway(
                            directory,
                            new McpConfig(Map.of("everything", everything), Set.of(), Duration.ofSeconds(30)));
                    BareMcpProxy.Http bare = BareMcpProxy.http(everything)) {
                measure(
                        "Streamable HTTP",
                        httpClient("http://127.0.0.1:" + port),
                        httpClient(bare.url()),
                        gateway.httpClient(gateway.agent("bench")));
            }
        } finally {
            upstream.destroy();
        }
    }

    @Test
    void allowPath_overStdio(@TempDir Path directory) throws Exception {
        UpstreamConfig.Stdio everything = NpmServers.everything();
        StdioGatewaySetup gateway = StdioGatewaySetup.write(directory, Map.of("everything", everything), "");
        List<String> bareArgs = new ArrayList<>(List.of(
                "-cp", System.getProperty("java.class.path"), BareMcpProxy.class.getName(), everything.command()));
        bareArgs.addAll(everything.args());
        measure(
                "stdio",
                stdioClient(ServerParameters.builder(everything.command())
                        .args(everything.args())
                        .build()),
                stdioClient(ServerParameters.builder(java()).args(bareArgs).build()),
                stdioClient(gateway.parameters(gateway.issue(new Agent("bench", Map.of())))));
    }

    private static void measure(String transport, McpSyncClient direct, McpSyncClient bare, McpSyncClient gateway) {
        List<McpSyncClient> clients = List.of(direct, bare, gateway);
        McpSchema.CallToolRequest call = new McpSchema.CallToolRequest("echo", Map.of("message", "bench"));
        try {
            for (int i = 0; i < WARMUP; i++) {
                clients.forEach(client -> client.callTool(call));
            }
            long[][] nanos = new long[clients.size()][CALLS];
            for (int i = 0; i < CALLS; i++) {
                for (int c = 0; c < clients.size(); c++) {
                    long start = System.nanoTime();
                    clients.get(c).callTool(call);
                    nanos[c][i] = System.nanoTime() - start;
                }
            }
            System.out.printf(
                    "mcp allow path over %s: %d interleaved calls of echo each, the same Java SDK client%n",
                    transport, CALLS);
            String[] names = {"direct", "bare SDK proxy", "gateway"};
            for (int c = 0; c < clients.size(); c++) {
                System.out.printf(
                        "  %-15s p50 %5.2f ms  p90 %5.2f ms  p99 %5.2f ms%n",
                        names[c], p(nanos[c], 50), p(nanos[c], 90), p(nanos[c], 99));
            }
            System.out.printf(
                    "  p50 over direct: bare SDK proxy +%.2f ms, gateway +%.2f ms (gateway over the bare proxy +%.2f ms)%n",
                    p(nanos[1], 50) - p(nanos[0], 50),
                    p(nanos[2], 50) - p(nanos[0], 50),
                    p(nanos[2], 50) - p(nanos[1], 50));
        } finally {
            clients.forEach(McpSyncClient::closeGracefully);
        }
    }

    private static McpSyncClient httpClient(String url) {
        return initialized(McpClient.sync(HttpClientStreamableHttpTransport.builder(url)
                .endpoint("/mcp")
                .jsonMapper(JSON)
                .build()));
    }

    private static McpSyncClient stdioClient(ServerParameters parameters) {
        StdioClientTransport transport = new StdioClientTransport(parameters, JSON);
        transport.setStdErrorHandler(line -> {});
        return initialized(McpClient.sync(transport));
    }

    private static McpSyncClient initialized(McpClient.SyncSpec spec) {
        McpSyncClient client = spec.requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(90))
                .build();
        client.initialize();
        return client;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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
