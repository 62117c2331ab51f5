package io.countersign.server.mcp;

import io.countersign.identity.Agent;
import io.javalin.Javalin;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The floor under {@link McpOverheadBench}: the gateway's own protocol binding ({@link McpProtocol})
 * and upstream client ({@link Upstream}), forwarding every {@code tools/call} unchanged and
 * deciding nothing: no authentication, policy, audit or grant. Whatever a gateway costs beyond
 * this is Countersign's; this much is the cost of any MCP server in front of another, built on
 * the SDK, on the machine at hand.
 */
final class BareMcpProxy implements ToolService {
    private static final McpJsonMapper JSON = new JacksonMcpJsonMapper(McpTestGateway.MAPPER);
    private static final Agent NOBODY = new Agent("bare-proxy", Map.of());

    private final Upstream upstream;

    private BareMcpProxy(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Over Streamable HTTP on a free loopback port, in front of {@code upstream}; stop the returned server and close the proxy. */
    static Http http(UpstreamConfig upstream) {
        BareMcpProxy proxy = new BareMcpProxy(Upstream.connect("bare", upstream, Duration.ofSeconds(30), JSON));
        McpProtocol.Http binding = McpProtocol.http(proxy, JSON, 1 << 20, new CallsInFlight());
        Javalin app = Javalin.create(config -> {
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    config.startup.showJavalinBanner = false;
                    config.routes.post(McpRoutes.PATH, ctx -> {
                        ctx.req().setAttribute(McpProtocol.AGENT, NOBODY);
                        binding.servlet().service(ctx.req(), ctx.res());
                    });
                })
                .start();
        return new Http(proxy, binding, app);
    }

    record Http(BareMcpProxy proxy, McpProtocol.Http binding, Javalin app) implements AutoCloseable {
        String url() {
            return "http://127.0.0.1:" + app.port();
        }

        @Override
        public void close() {
            app.stop();
            binding.close();
            proxy.upstream.close();
        }
    }

    /** Over stdio, as a child process: {@code BareMcpProxy COMMAND ARGS...} fronts that stdio upstream. */
    public static void main(String[] args) throws InterruptedException {
        UpstreamConfig.Stdio upstream =
                new UpstreamConfig.Stdio(args[0], Arrays.asList(args).subList(1, args.length), Map.of());
        BareMcpProxy proxy = new BareMcpProxy(Upstream.connect("bare", upstream, Duration.ofSeconds(30), JSON));
        McpProtocol.stdio(
                proxy,
                NOBODY,
                JSON,
                System.in,
                System.out,
                new JsonRpcIntake(
                        tools.jackson.databind.json.JsonMapper.builder().build()),
                new CallsInFlight(),
                1 << 20);
        Thread.currentThread().join();
    }

    @Override
    public List<McpSchema.Tool> tools() {
        return upstream.tools();
    }

    @Override
    public McpSchema.CallToolResult call(Agent agent, String tool, Map<String, Object> arguments, Waiting waiting) {
        return upstream.call(new McpSchema.CallToolRequest(tool, arguments));
    }
}
