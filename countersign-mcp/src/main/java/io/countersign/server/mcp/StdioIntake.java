package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent's stdin as the SDK's stdio transport reads it: only messages that passed
 * {@link JsonRpcIntake} reach it, one a line. A bad line is answered here (on the same stdout, under
 * the lock the SDK writes under) and serving goes on. {@code notifications/cancelled} cancels the
 * call it names; the end of stdin is the end of every call on it.
 */
final class StdioIntake extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(StdioIntake.class);

    private final InputStream in;
    private final OutputStream out;
    private final JsonRpcIntake intake;
    private final McpJsonMapper json;
    private final CallsInFlight calls;
    private final Agent agent;
    private final String channel;
    private final ResourceSubscriptions subscriptions;
    /**
     * The requests the gateway answers itself, in the order they came, off the reading thread: a
     * subscribe held for a human must not stop the agent's other messages (a cancel, say).
     */
    private final ExecutorService own = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("mcp-stdio-own-", 0).factory());

    private final int maxLineBytes;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    /** {@code out} must be the stream the SDK writes to: replies are written under its lock, as the SDK's are. */
    StdioIntake(
            InputStream in,
            OutputStream out,
            JsonRpcIntake intake,
            McpJsonMapper json,
            CallsInFlight calls,
            Agent agent,
            String channel,
            ResourceSubscriptions subscriptions,
            int maxLineBytes) {
        this.in = new BufferedInputStream(requireNonNull(in, "in is null"));
        this.out = requireNonNull(out, "out is null");
        this.intake = requireNonNull(intake, "intake is null");
        this.json = requireNonNull(json, "json is null");
        this.calls = requireNonNull(calls, "calls is null");
        this.agent = requireNonNull(agent, "agent is null");
        this.channel = requireNonNull(channel, "channel is null");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions is null");
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - position;
    }

    /** Makes the next accepted line (with its newline) current; false at the end of stdin. */
    private boolean fill() throws IOException {
        while (position >= current.length) {
            if (ended) {
                return false;
            }
            Optional<Line> next = readLine();
            if (next.isEmpty()) {
                ended = true;
                calls.channelClosed(channel, "the agent closed the stdio session");
                // After the requests still being answered: a subscription they make is withdrawn too.
                try {
                    own.execute(() -> subscriptions.channelClosed(channel));
                    own.shutdown();
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    subscriptions.channelClosed(channel);
                }
                return false;
            }
            Line line = next.get();
            if (line.tooLong()) {
                reply(JsonRpcIntake.error(
                        Optional.empty(),
                        JsonRpcIntake.INVALID_REQUEST,
                        "Invalid Request: the message is over " + maxLineBytes + " bytes"));
                continue;
            }
            String text = line.text().strip();
            if (text.isEmpty()) {
                continue;
            }
            accept(text);
        }
        return true;
    }

    private void accept(String text) throws IOException {
        switch (intake.check(text, id -> calls.open(agent.name(), channel, id).token())) {
            case JsonRpcIntake.Reject reject -> reply(reject.error());
            case JsonRpcIntake.Cancel cancel ->
                calls.cancelled(
                        agent.name(),
                        channel,
                        cancel.requestId(),
                        "the agent's MCP client cancelled the call (notifications/cancelled"
                                + (cancel.reason().isEmpty() ? "" : ": " + cancel.reason()) + ")");
            case JsonRpcIntake.Drop drop -> LOG.debug("mcp stdio: dropped {}", drop.why());
            case JsonRpcIntake.Pass pass -> hand(pass.message(), pass.call());
            // The SDK's session server keeps the session's level.
            case JsonRpcIntake.Own level
            when level.method().equals(JsonRpcIntake.SET_LEVEL) -> hand(level.message(), Optional.empty());
            case JsonRpcIntake.Own request -> {
                Optional<CallsInFlight.Call> call = request.call().flatMap(tagged -> calls.find(tagged.token()));
                answerOwn(() -> {
                    try {
                        reply(subscriptions.answer(
                                agent,
                                channel,
                                request,
                                call.map(McpProtocol::waitingOn).orElse(ToolService.Waiting.NONE),
                                Optional.of(this::updated)));
                    } catch (IOException e) {
                        LOG.debug("mcp stdio: answering {} failed: {}", request.method(), e.getMessage());
                    } finally {
                        call.ifPresent(calls::close);
                    }
                });
            }
        }
    }

    private void answerOwn(Runnable answer) {
        try {
            own.execute(answer);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.debug("mcp stdio: a request arrived after the session closed; not answered");
        }
    }

    /** Makes {@code message} the next one the SDK reads. */
    private void hand(String message, Optional<JsonRpcIntake.TaggedCall> tagged) throws IOException {
        try {
            // The SDK stops reading for good at a message it can't read: make sure it can.
            McpSchema.deserializeJsonRpcMessage(json, message);
        } catch (IOException | RuntimeException e) {
            tagged.flatMap(call -> calls.find(call.token())).ifPresent(calls::close);
            reply(JsonRpcIntake.error(
                    Optional.empty(),
                    JsonRpcIntake.INVALID_REQUEST,
                    "Invalid Request: not a JSON-RPC message MCP knows"));
            return;
        }
        current = (message + "\n").getBytes(StandardCharsets.UTF_8);
        position = 0;
    }

    /** Tells the agent that a resource it subscribed to changed. */
    private void updated(String uri) {
        try {
            reply(ResourceSubscriptions.updated(uri));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void reply(ObjectNode error) throws IOException {
        byte[] line = (error.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        // The SDK's stdio transport writes each message under this same lock.
        synchronized (out) {
            out.write(line);
            out.flush();
        }
    }

    private record Line(String text, boolean tooLong) {}

    /** One line, or empty at the end; a line over the limit is read to its end and reported as too long. */
    private Optional<Line> readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean tooLong = false;
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return Optional.of(new Line(tooLong ? "" : line.toString(StandardCharsets.UTF_8), tooLong));
            }
            if (!tooLong) {
                line.write(b);
                if (line.size() > maxLineBytes) {
                    tooLong = true;
                    line.reset();
                }
            }
        }
        if (line.size() == 0 && !tooLong) {
            return Optional.empty();
        }
        return Optional.of(new Line(tooLong ? "" : line.toString(StandardCharsets.UTF_8), tooLong));
    }

    @Override
    public void close() throws IOException {
        own.shutdown();
        in.close();
    }
}
