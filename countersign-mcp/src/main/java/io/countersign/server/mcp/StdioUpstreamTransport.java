package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The client side of MCP's stdio transport to an upstream child process, in place of the SDK's
 * {@code StdioClientTransport}, which stops reading for good at the first line it can't take (one
 * over its size limit, or not JSON-RPC) while the process lives on, so every later call waits out
 * its timeout, and which tells nobody that the process exited. Here a line over the limit is
 * skipped and, where its JSON-RPC id can be found, answered to the SDK as an error response for
 * that request alone ({@link #OVERSIZED}); a line that isn't JSON-RPC is logged and skipped; and
 * {@link #lost()} completes, with why, the moment the process exits or its output ends.
 */
final class StdioUpstreamTransport implements McpClientTransport {
    private static final Logger LOG = LoggerFactory.getLogger(StdioUpstreamTransport.class);
    /** The JSON-RPC error code the transport answers a request with whose response was over the limit. */
    static final int OVERSIZED = -32099;

    private final String name;
    private final UpstreamConfig.Stdio config;
    private final McpJsonMapper json;
    private final int maxMessageBytes;
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private final Object writing = new Object();
    private volatile Optional<Process> process = Optional.empty();
    private volatile boolean closing;

    StdioUpstreamTransport(String name, UpstreamConfig.Stdio config, McpJsonMapper json, int maxMessageBytes) {
        this.name = requireNonNull(name, "name is null");
        this.config = requireNonNull(config, "config is null");
        this.json = requireNonNull(json, "json is null");
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Completes with why ("upstream 'files' exited (status 1)"), once the process is gone or its output ended. */
    CompletableFuture<String> lost() {
        return lost;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return Mono.fromRunnable(() -> start(handler));
    }

    private void start(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        List<String> command = new ArrayList<>();
        command.add(config.command());
        command.addAll(config.args());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(config.env());
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + config.command() + ": " + e.getMessage(), e);
        }
        process = Optional.of(child);
        child.onExit().thenAccept(exited -> lose("upstream '" + name + "' exited (status " + exited.exitValue() + ")"));
        // Platform threads: a read of a process pipe pins a virtual thread's carrier for as long as it blocks (the
        // whole life of the upstream), and a few upstreams would then leave no carrier for the gateway's own virtual
        // threads (a call in flight, the supervisor), seen under load as calls that time out.
        Thread.ofPlatform()
                .daemon()
                .name("mcp-upstream-stderr-" + name)
                .start(() -> drainStderr(child.getErrorStream()));
        Thread.ofPlatform().daemon().name("mcp-upstream-in-" + name).start(() -> read(child, handler));
    }

    private void read(Process child, Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        LineReader lines = new LineReader(child.getInputStream(), maxMessageBytes);
        try {
            for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                switch (line) {
                    case LineReader.Line.Whole whole -> deliver(whole.text(), handler);
                    case LineReader.Line.Oversized oversized -> oversized(oversized, handler);
                }
            }
            ended(child, "closed its output");
        } catch (IOException e) {
            ended(child, "could not be read (" + e.getMessage() + ")");
        }
    }

    private void deliver(
            String line, Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        if (line.isBlank()) {
            return;
        }
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, line);
        } catch (IOException | RuntimeException e) {
            // A stray line on stdout (a log line, say) must not end the upstream; the SDK's reader stops at it.
            LOG.warn("mcp upstream={} wrote a line that is not JSON-RPC; skipped ({} chars)", name, line.length());
            return;
        }
        try {
            handler.apply(Mono.just(message))
                    .subscribe(
                            answer -> {},
                            error ->
                                    LOG.debug("mcp upstream={} message handling failed: {}", name, error.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("mcp upstream={} message handling failed: {}", name, e.getMessage());
        }
    }

    private void oversized(
            LineReader.Line.Oversized line,
            Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        String why = "its message was " + line.bytes() + " bytes, more than the " + maxMessageBytes
                + " the gateway reads from an upstream";
        Optional<Object> id = OversizedLine.responseId(line.head(), line.tail(), json);
        if (id.isEmpty()) {
            // Nobody can be told which request this answered: the whole connection is suspect; start again.
            LOG.warn("mcp upstream={} {}; no request id found in it, so the upstream is restarted", name, why);
            lose("upstream '" + name + "' sent a message too large to read (" + why + ")");
            process.ifPresent(Process::destroy);
            return;
        }
        LOG.warn("mcp upstream={} {}; that call fails, the upstream keeps serving", name, why);
        handler.apply(Mono.just(McpSchema.JSONRPCResponse.error(
                        id.get(), new McpSchema.JSONRPCResponse.JSONRPCError(OVERSIZED, why))))
                .subscribe(answer -> {}, error -> {});
    }

    private void ended(Process child, String what) {
        // The output ends as the process exits: give the exit a moment so that the reason carries its status.
        try {
            child.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lose(
                child.isAlive()
                        ? "upstream '" + name + "' " + what
                        : "upstream '" + name + "' exited (status " + child.exitValue() + ")");
    }

    private void lose(String why) {
        if (lost.complete(why) && !closing) {
            LOG.warn("mcp {}", why);
        }
    }

    private void drainStderr(InputStream stderr) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                LOG.debug("mcp upstream={} stderr: {}", name, line);
            }
        } catch (IOException e) {
            // The process is gone; its stderr with it.
        }
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.fromRunnable(() -> {
            Process child = process.orElseThrow(() -> new IllegalStateException("upstream '" + name + "' not started"));
            synchronized (writing) {
                try {
                    // One line per message: JSON never needs a raw line break, and the serializer writes none.
                    byte[] line = (json.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
                    OutputStream stdin = child.getOutputStream();
                    stdin.write(line);
                    stdin.flush();
                } catch (IOException e) {
                    lose("upstream '" + name + "' stopped reading its input (" + e.getMessage() + ")");
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(this::stop);
    }

    /** Closes the child's stdin (the spec's way to ask a stdio server to stop), then terminates it if it lingers. */
    private void stop() {
        closing = true;
        process.ifPresent(child -> {
            try {
                child.getOutputStream().close();
                if (!child.waitFor(2, TimeUnit.SECONDS)) {
                    child.destroy();
                    if (!child.waitFor(3, TimeUnit.SECONDS)) {
                        child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                }
            } catch (IOException e) {
                child.destroyForcibly();
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
        return json.convertValue(data, type);
    }
}
