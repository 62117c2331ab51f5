package io.countersign.server.mcp;

import io.modelcontextprotocol.client.transport.ServerParameters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * {@code countersign mcp --stdio} as a child process spoken to line by line, as a client that
 * writes whatever it likes would: to send bad lines, close stdin, or kill the process mid-call.
 */
final class StdioGatewayProcess implements AutoCloseable {
    private static final Pattern APPROVALS_AT = Pattern.compile("approvals at (http://\\S+)");

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> baseUrl = new CompletableFuture<>();
    private final java.util.Deque<String> stderr = new java.util.concurrent.ConcurrentLinkedDeque<>();

    StdioGatewayProcess(ServerParameters parameters) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(parameters.getCommand());
        command.addAll(parameters.getArgs());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(parameters.getEnv());
        process = builder.start();
        stdin = process.getOutputStream();
        Thread.ofVirtual()
                .start(() -> pump(
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                        true));
        Thread.ofVirtual()
                .start(() -> pump(
                        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
                        false));
    }

    private void pump(BufferedReader reader, boolean protocol) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (protocol) {
                    lines.add(line);
                } else {
                    stderr.add(line);
                    if (stderr.size() > 40) {
                        stderr.poll();
                    }
                    Matcher matcher = APPROVALS_AT.matcher(line);
                    if (matcher.find()) {
                        baseUrl.complete(matcher.group(1));
                    }
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    /** Where humans approve, once the gateway has said so on stderr. */
    String baseUrl() throws Exception {
        try {
            // A JVM and an npm server starting: on a loaded machine this takes minutes.
            return baseUrl.get(240, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(
                    "the gateway did not say where it listens within 240 s (alive: " + process.isAlive()
                            + "); its stderr ends:\n" + String.join("\n", stderr),
                    e);
        }
    }

    void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The next message on stdout, parsed; fails after 60 s. */
    JsonNode next() throws Exception {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no message on stdout within 60 s");
        }
        return McpTestGateway.MAPPER.readTree(line);
    }

    /** The next message on stdout within {@code patience}, parsed; empty if none came. */
    java.util.Optional<JsonNode> poll(java.time.Duration patience) throws InterruptedException {
        String line = lines.poll(patience.toMillis(), TimeUnit.MILLISECONDS);
        return java.util.Optional.ofNullable(line).map(McpTestGateway.MAPPER::readTree);
    }

    /** initialize and notifications/initialized, as every client starts; returns initialize's result. */
    JsonNode initialize() throws Exception {
        send(
                "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                        + "\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
        JsonNode initialized = next();
        if (!initialized.has("result")) {
            throw new AssertionError("initialize failed: " + initialized);
        }
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return initialized.get("result");
    }

    void closeStdin() throws IOException {
        stdin.close();
    }

    boolean exitsWithin(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    int exitCode() {
        return process.exitValue();
    }

    /** kill -9: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
