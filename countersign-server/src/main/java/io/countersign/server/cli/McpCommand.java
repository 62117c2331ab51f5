package io.countersign.server.cli;

import io.countersign.identity.Agent;
import io.countersign.server.Gateway;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.TokenRejected;
import io.countersign.server.mcp.McpModule;
import io.countersign.server.mcp.ToolPinning;
import io.countersign.store.GatewayStore;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign mcp --stdio}: the MCP gateway for a desktop agent. Runs a whole gateway (the
 * HTTP API on {@code --port}, where humans approve) and serves the config's upstream MCP servers
 * to one agent on stdin/stdout, authenticated by its API key. stdout carries only MCP messages;
 * everything else goes to stderr.
 */
@Command(
        name = "mcp",
        description = "Serve the configured MCP servers to an agent over stdio, every tool call through the policy.",
        subcommands = {McpCommand.Pins.class})
public final class McpCommand implements Callable<Integer> {
    static final String API_KEY_ENV = "COUNTERSIGN_API_KEY";

    @Option(
            names = "--stdio",
            description =
                    "speak MCP on stdin/stdout (the only transport of this command; /mcp on 'serve' is the HTTP one)")
    boolean stdio;

    @Option(names = "--config", description = "countersign.yaml with an mcp.servers section")
    Path config;

    @Option(names = "--data", description = "data folder (default from the config, else ./countersign-data)")
    Path data;

    @Option(
            names = "--port",
            description = "port of the HTTP API for approvals (default from the config; 0 picks a free one)")
    Integer port;

    @Option(
            names = "--api-key",
            description =
                    "the agent's API key (default: $" + API_KEY_ENV + "; prefer the variable, a flag shows in ps)")
    String apiKey;

    @Override
    public Integer call() throws InterruptedException {
        // Not required by picocli: 'countersign mcp pins ...' has neither.
        if (!stdio || config == null) {
            throw new IllegalArgumentException("countersign mcp needs --stdio and --config (or the subcommand 'pins')");
        }
        // Anything a library prints must not corrupt the MCP stream.
        OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_ENV);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("no API key: set $" + API_KEY_ENV + " or pass --api-key");
        }
        ServerConfig settings = ConfigFile.load(config);
        if (data != null) settings = settings.withDataDirectory(data);
        if (port != null) settings = settings.withPort(port);
        if (!settings.mcp().enabled()) {
            throw new IllegalArgumentException(config + " has no mcp.servers; nothing to serve");
        }
        Gateway gateway = Gateway.start(settings, Clock.systemUTC());
        try {
            Agent agent;
            try {
                agent = gateway.authenticateAgent(key.trim());
            } catch (TokenRejected e) {
                throw new IllegalArgumentException("the API key was refused: " + e.getMessage());
            }
            McpModule mcp = gateway.mcp().orElseThrow();
            // Killed (SIGTERM, Ctrl-C) while a call is held: its request is cancelled, not left for a human to approve
            // in vain.
            Thread stopping = new Thread(() -> mcp.callersGone("the gateway process is stopping"), "mcp-stopping");
            Runtime.getRuntime().addShutdownHook(stopping);
            CountDownLatch endOfInput = new CountDownLatch(1);
            AutoCloseable session = mcp.serveStdio(
                    agent, new EndAware(new FileInputStream(FileDescriptor.in), endOfInput), protocolOut);
            System.err.println("countersign: serving MCP on stdio as agent " + agent.name() + "; approvals at "
                    + gateway.baseUrl());
            endOfInput.await();
            closeQuietly(session);
            return 0;
        } finally {
            gateway.close();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("countersign: closing the MCP session failed: " + e.getMessage());
        }
    }

    /** Signals when the agent closes stdin: that ends the session and the process. */
    private static final class EndAware extends FilterInputStream {
        private final CountDownLatch ended;

        EndAware(InputStream in, CountDownLatch ended) {
            super(in);
            this.ended = ended;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) ended.countDown();
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = super.read(buffer, offset, length);
            } catch (IOException e) {
                ended.countDown();
                throw e;
            }
            if (n < 0) ended.countDown();
            return n;
        }
    }

    /** {@code countersign mcp pins list|accept}: tools whose definition changed since they were pinned. */
    @Command(
            name = "pins",
            description = "Tool pins: list the tools whose definition changed, accept a new definition.",
            subcommands = {ListPins.class, Accept.class})
    static final class Pins {}

    @Command(
            name = "list",
            description = "List the tools whose definition changed since it was pinned, waiting for an admin.")
    static final class ListPins implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Override
        public Integer call() {
            try (GatewayStore store = data.openStore()) {
                List<ToolPinning.Change> changes = ToolPinning.open(
                                data.data,
                                store,
                                Clock.systemUTC(),
                                JsonMapper.builder().build())
                        .changes();
                if (changes.isEmpty()) {
                    System.out.println("No changed tools.");
                }
                for (ToolPinning.Change change : changes) {
                    System.out.println(change.name() + "  pinned " + change.pinned() + "  presented "
                            + change.presented() + "  since " + change.noticedAt());
                }
            }
            return 0;
        }
    }

    @Command(
            name = "accept",
            description = "Accept a changed tool's new definition as its pin (recorded in the audit log).")
    static final class Accept implements Callable<Integer> {
        @Parameters(index = "0", description = "the tool, as server__tool")
        String tool;

        @Mixin
        DataOption data;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String actor = operator.actor(data, "admin");
            try (GatewayStore store = data.openStore()) {
                ToolPinning.Change accepted = ToolPinning.open(
                                data.data,
                                store,
                                Clock.systemUTC(),
                                JsonMapper.builder().build())
                        .accept(tool, actor);
                System.out.println("Accepted " + accepted.name() + ": pinned sha256 " + accepted.presented() + " (was "
                        + accepted.pinned() + ").");
                return 0;
            } catch (NoSuchElementException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
