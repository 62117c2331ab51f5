package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.server.http.Access;
import io.countersign.server.http.Authentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /mcp}: MCP over Streamable HTTP, for agents only (bearer token, checked by
 * {@link Authentication} like every route). The SDK's servlet does the protocol; this handler only
 * hands it the authenticated agent.
 */
final class McpRoutes {
    static final String PATH = "/mcp";
    private static final Logger LOG = LoggerFactory.getLogger(McpRoutes.class);
    private static final long MAX_DRAINED_BYTES = 16L << 20;

    private final HttpServlet servlet;
    private final Optional<SessionOwners> sessions;
    private final JsonRpcIntake intake;
    private final CallsInFlight calls;
    private final OriginCheck origins;
    private final int maxMessageBytes;
    private final ResourceSubscriptions subscriptions;
    private final Optional<BiConsumer<String, String>> notifySession;

    /**
     * {@code sessions} when the servlet keeps sessions ({@code mcp.http: sessions}), so that each
     * stays with its agent; {@code notifySession} tells a session (by id) that a resource it
     * subscribed to (by URI) changed.
     */
    McpRoutes(
            HttpServlet servlet,
            Optional<SessionOwners> sessions,
            JsonRpcIntake intake,
            CallsInFlight calls,
            OriginCheck origins,
            int maxMessageBytes,
            ResourceSubscriptions subscriptions,
            Optional<BiConsumer<String, String>> notifySession) {
        this.servlet = requireNonNull(servlet, "servlet is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.intake = requireNonNull(intake, "intake is null");
        this.calls = requireNonNull(calls, "calls is null");
        this.origins = requireNonNull(origins, "origins is null");
        this.maxMessageBytes = maxMessageBytes;
        this.subscriptions = requireNonNull(subscriptions, "subscriptions is null");
        this.notifySession = requireNonNull(notifySession, "notifySession is null");
    }

    void register(RoutesConfig routes) {
        routes.post(PATH, this::handle, Access.AGENT);
        routes.get(PATH, this::handle, Access.AGENT);
        routes.delete(PATH, this::handle, Access.AGENT);
    }

    private void handle(Context ctx) throws Exception {
        Agent agent = Authentication.agent(ctx);
        Optional<String> refused =
                origins.refusal(Optional.ofNullable(ctx.header("Host")), Optional.ofNullable(ctx.header("Origin")));
        if (refused.isPresent()) {
            answer(ctx, 403, JsonRpcIntake.error(Optional.empty(), -32000, "Forbidden: " + refused.get()));
            return;
        }
        String session = ctx.header(SessionOwners.HEADER);
        if (session != null && sessions.isPresent() && !sessions.get().knows(session)) {
            // The SDK would answer this with its exception serialized, stack trace and all.
            answer(
                    ctx,
                    404,
                    JsonRpcIntake.error(
                            Optional.empty(),
                            -32001,
                            "Session not found: no MCP session " + cut(session) + "; initialize a new one"));
            return;
        }
        if (session != null && sessions.isPresent() && !sessions.get().mayUse(session, agent.name())) {
            // As for a session that does not exist: a client that lost its session opens a new one.
            answer(
                    ctx,
                    404,
                    JsonRpcIntake.error(
                            Optional.empty(),
                            -32001,
                            "Session not found: no MCP session " + session + " of agent " + agent.name()
                                    + "; initialize a new one"));
            return;
        }
        if (sessions.isEmpty() && !"POST".equals(ctx.method().name())) {
            ctx.header("Allow", "POST");
            answer(
                    ctx,
                    405,
                    JsonRpcIntake.error(Optional.empty(), -32000, "Method not allowed: stateless MCP takes POST only"));
            return;
        }
        String accept = ctx.header("Accept");
        if ("POST".equals(ctx.method().name()) && accept != null && !accepts(accept)) {
            answer(
                    ctx,
                    406,
                    JsonRpcIntake.error(
                            Optional.empty(),
                            JsonRpcIntake.INVALID_REQUEST,
                            "Not Acceptable: the client must accept application/json and text/event-stream, not '"
                                    + cut(accept) + "'"));
            return;
        }
        ctx.req().setAttribute(McpProtocol.AGENT, agent);
        String channel = sessions.isPresent() ? "session:" + (session == null ? "" : session) : "http";
        Optional<CallsInFlight.Call> call = Optional.empty();
        HttpServletRequest request = ctx.req();
        if ("POST".equals(ctx.method().name())) {
            byte[] body = ctx.req().getInputStream().readNBytes(maxMessageBytes + 1);
            if (body.length > maxMessageBytes) {
                // Read (some of) the rest first: a client that sends its whole body before reading sees the 413, not a
                // reset.
                ctx.req()
                        .getInputStream()
                        .skipNBytes(Math.min(
                                Math.max(0, ctx.req().getContentLengthLong() - body.length), MAX_DRAINED_BYTES));
                answer(
                        ctx,
                        413,
                        JsonRpcIntake.error(
                                Optional.empty(),
                                JsonRpcIntake.INVALID_REQUEST,
                                "Invalid Request: the message is over " + maxMessageBytes + " bytes"));
                return;
            }
            AtomicReference<CallsInFlight.Call> opened = new AtomicReference<>();
            JsonRpcIntake.Verdict verdict = intake.check(new String(body, StandardCharsets.UTF_8), id -> {
                CallsInFlight.Call tagged = calls.open(agent.name(), channel, id);
                opened.set(tagged);
                return tagged.token();
            });
            call = Optional.ofNullable(opened.get());
            switch (verdict) {
                case JsonRpcIntake.Reject reject -> {
                    answer(ctx, reject.httpStatus(), reject.error());
                    return;
                }
                case JsonRpcIntake.Cancel cancel -> {
                    calls.cancelled(
                            agent.name(),
                            channel,
                            cancel.requestId(),
                            "the agent's MCP client cancelled the call (notifications/cancelled"
                                    + (cancel.reason().isEmpty() ? "" : ": " + cancel.reason()) + ")");
                    ctx.status(202);
                    return;
                }
                case JsonRpcIntake.Drop drop -> {
                    LOG.debug("mcp http: dropped {}", drop.why());
                    ctx.status(202);
                    return;
                }
                case JsonRpcIntake.Pass pass ->
                    request = new Body(ctx.req(), pass.message().getBytes(StandardCharsets.UTF_8));
                case JsonRpcIntake.Own own -> {
                    if (own.method().equals(JsonRpcIntake.SET_LEVEL) && sessions.isPresent()) {
                        // The SDK's session server keeps each session's level.
                        request = new Body(ctx.req(), own.message().getBytes(StandardCharsets.UTF_8));
                    } else {
                        try {
                            answerOwn(ctx, agent, channel, session, own, call);
                        } finally {
                            call.ifPresent(calls::close);
                        }
                        return;
                    }
                }
            }
        }
        HttpServletResponse response = ctx.res();
        if (sessions.isPresent() && session == null) {
            response = new SessionOpening(response, sessions.get(), agent.name());
        }
        if (sessions.isEmpty() && call.isPresent()) {
            ProbedResponse probed = new ProbedResponse(ctx.res());
            call.get().probeWith(probed);
            response = probed;
        }
        try (ConnectionWatch watch = ConnectionWatch.of(ctx.req(), call)) {
            serve(ctx, request, response);
            if (response instanceof ProbedResponse probed) {
                probed.finish();
            }
        } finally {
            call.ifPresent(calls::close);
        }
        if (sessions.isPresent()) {
            if (session != null && "DELETE".equals(ctx.method().name()) && ctx.statusCode() < 300) {
                sessions.get().forget(session);
                calls.channelClosed("session:" + session, "the agent ended its MCP session");
                subscriptions.channelClosed("session:" + session);
            }
        }
        if (ctx.req().isAsyncStarted()) {
            // The SDK left an event stream open (a session's GET stream, with mcp.http: sessions):
            // Javalin must wait for the SDK to end it, not end the response itself when this returns.
            ctx.future(() -> streamEnded(ctx.req()));
        }
    }

    /**
     * A request the gateway answers itself ({@link ResourceSubscriptions}); with sessions, only on
     * one (the updates of what it subscribes to go to that session's event stream).
     */
    private void answerOwn(
            Context ctx,
            Agent agent,
            String channel,
            @Nullable String session,
            JsonRpcIntake.Own own,
            Optional<CallsInFlight.Call> call) {
        if (sessions.isPresent() && session == null) {
            answer(
                    ctx,
                    400,
                    JsonRpcIntake.error(
                            Optional.of(own.id()),
                            JsonRpcIntake.INVALID_REQUEST,
                            "Bad Request: " + own.method() + " needs a session (" + SessionOwners.HEADER
                                    + "); initialize one first"));
            return;
        }
        Optional<Consumer<String>> deliver =
                session == null ? Optional.empty() : notifySession.map(notify -> uri -> notify.accept(session, uri));
        ToolService.Waiting waiting = call.map(McpProtocol::waitingOn).orElse(ToolService.Waiting.NONE);
        try (ConnectionWatch watch = ConnectionWatch.of(ctx.req(), call)) {
            answer(ctx, 200, subscriptions.answer(agent, channel, own, waiting, deliver));
        }
    }

    /** The SDK's servlet; whatever it throws becomes a JSON-RPC error, never a stack trace. */
    private void serve(Context ctx, HttpServletRequest request, HttpServletResponse response) {
        try {
            servlet.service(request, response);
        } catch (Exception e) {
            LOG.warn("mcp: the MCP servlet failed on {} {}: {}", ctx.method(), PATH, e.toString());
            if (!ctx.res().isCommitted()) {
                ctx.res().reset();
                answer(ctx, 500, JsonRpcIntake.error(Optional.empty(), JsonRpcIntake.INTERNAL_ERROR, "Internal error"));
            }
        }
    }

    private static boolean accepts(String accept) {
        String types = accept.toLowerCase(java.util.Locale.ROOT);
        return types.contains("application/json")
                || types.contains("text/event-stream")
                || types.contains("*/*")
                || types.contains("application/*");
    }

    private static String cut(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }

    private static void answer(Context ctx, int status, ObjectNode error) {
        ctx.status(status).contentType("application/json").result(error.toString());
    }

    /** The request with the body the SDK is to read (the checked, tagged message). */
    private static final class Body extends HttpServletRequestWrapper {
        private final byte[] body;

        Body(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    private static CompletableFuture<Void> streamEnded(HttpServletRequest request) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        request.getAsyncContext().addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                ended.complete(null);
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                ended.complete(null);
            }

            @Override
            public void onError(AsyncEvent event) {
                ended.complete(null);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {}
        });
        if (!request.isAsyncStarted()) {
            // Ended before the listener was added.
            ended.complete(null);
        }
        return ended;
    }
}
