package io.countersign.server.cli;

import io.countersign.identity.Agent;
import io.countersign.server.Gateway;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.TokenRejected;
import io.countersign.server.mcp.McpModule;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code countersign mcp --stdio}: the MCP gateway for a desktop agent. Runs a whole gateway (the
 * HTTP API on {@code --port}, where humans approve) and serves the config's upstream MCP servers
 * to one agent on stdin/stdout, authenticated by its API key. stdout carries only MCP messages;
 * everything else goes to stderr.
 */
@Command(name = "mcp", description = "Serve the configured MCP servers to an agent over stdio, every tool call through the policy.")
public final class McpCommand implements Callable<Integer> {
    static final String API_KEY_ENV = "COUNTERSIGN_API_KEY";

    @Option(names = "--stdio", required = true, description = "speak MCP on stdin/stdout (the only transport of this command; /mcp on 'serve' is the HTTP one)")
    boolean stdio;

    @Option(names = "--config", required = true, description = "countersign.yaml with an mcp.servers section")
    Path config;

    @Option(names = "--data", description = "data folder (default from the config, else ./countersign-data)")
    Path data;

    @Option(names = "--port", description = "port of the HTTP API for approvals (default from the config; 0 picks a free one)")
    Integer port;

    @Option(names = "--api-key", description = "the agent's API key (default: $" + API_KEY_ENV + "; prefer the variable, a flag shows in ps)")
    String apiKey;

    @Override
    public Integer call() throws InterruptedException {
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
            CountDownLatch endOfInput = new CountDownLatch(1);
            AutoCloseable session = mcp.serveStdio(agent, new EndAware(new FileInputStream(FileDescriptor.in), endOfInput), protocolOut);
            System.err.println("countersign: serving MCP on stdio as agent " + agent.name() + "; approvals at " + gateway.baseUrl());
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
}
