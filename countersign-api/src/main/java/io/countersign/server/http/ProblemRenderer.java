package io.countersign.server.http;

import io.countersign.store.StoreUnavailableException;
import io.countersign.workflow.WorkflowException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The one place where errors become RFC 9457 problem responses. Nothing else writes an error body. */
public final class ProblemRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemRenderer.class);
    public static final String CONTENT_TYPE = "application/problem+json";
    /** How soon a client should try again when the database is away: about how long a restart or a failover takes to be noticed. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private final JsonMapper mapper;
    private final List<ErrorPage> pages;

    public ProblemRenderer(JsonMapper mapper) {
        this(mapper, List.of());
    }

    /** With error pages for the paths they cover (the console's HTML, MCP's JSON-RPC). */
    public ProblemRenderer(JsonMapper mapper, List<ErrorPage> pages) {
        this.mapper = mapper;
        this.pages = List.copyOf(pages);
    }

    /** The first of {@code pages} that covers {@code rawPath}. */
    static Optional<ErrorPage> covering(List<ErrorPage> pages, String rawPath) {
        return pages.stream().filter(page -> page.covers(rawPath)).findFirst();
    }

    public void render(ApiProblem problem, Context ctx) {
        if (problem.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        Optional<ErrorPage> page = covering(pages, ctx.path());
        if (page.isPresent()) {
            ctx.status(problem.status())
                    .contentType(page.get().contentType())
                    .result(page.get().html(problem.status(), problem.detail()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        ctx.status(problem.status())
                .contentType(CONTENT_TYPE)
                .result(body(problem, ctx.path(), Optional.ofNullable(ctx.<String>attribute(RequestIds.ATTRIBUTE))));
    }

    /** The problem+json bytes of {@code problem}, for answers written outside Javalin too (Jetty's own errors). */
    public byte[] body(ApiProblem problem, String instance, Optional<String> requestId) {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "urn:countersign:problem:" + problem.slug());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.put("instance", instance);
        requestId.ifPresent(id -> body.put("requestId", id));
        return mapper.writeValueAsBytes(body);
    }

    public void renderWorkflow(WorkflowException e, Context ctx) {
        ApiProblem problem =
                switch (e) {
                    case WorkflowException.NotFound notFound ->
                        ApiProblem.notFound(java.util.Objects.requireNonNullElse(notFound.getMessage(), "no detail"));
                    case WorkflowException.Forbidden forbidden ->
                        ApiProblem.forbidden(java.util.Objects.requireNonNullElse(forbidden.getMessage(), "no detail"));
                    case WorkflowException.StepUpRequired stepUp ->
                        new ApiProblem(
                                403,
                                "step-up-required",
                                "A fresh sign-in is required",
                                java.util.Objects.requireNonNullElse(stepUp.getMessage(), "no detail"));
                    case WorkflowException.Conflict conflict ->
                        new ApiProblem(
                                409,
                                "conflict",
                                "Conflict with the request's state",
                                java.util.Objects.requireNonNullElse(conflict.getMessage(), "no detail"));
                    case WorkflowException.BadInput badInput ->
                        ApiProblem.badRequest(java.util.Objects.requireNonNullElse(badInput.getMessage(), "no detail"));
                    case WorkflowException.Unprocessable unprocessable ->
                        new ApiProblem(
                                422,
                                "unprocessable",
                                "The request can't be processed",
                                java.util.Objects.requireNonNullElse(unprocessable.getMessage(), "no detail"));
                };
        render(problem, ctx);
    }

    /** Javalin's own errors (404 route, 405, 413 body too large...) keep their status, in our format. */
    public void renderHttp(HttpResponseException e, Context ctx) {
        render(forStatus(e.getStatus(), java.util.Objects.requireNonNullElse(e.getMessage(), "no detail")), ctx);
    }

    public void renderStatus(Context ctx) {
        render(forStatus(ctx.statusCode(), null), ctx);
    }

    /**
     * The database is away or out of time: 503 with {@code Retry-After}, so clients and load
     * balancers try again (on this node or another) instead of treating it as a bug. The detail
     * says no more than that; the log has the driver's message.
     */
    public void renderUnavailable(StoreUnavailableException e, Context ctx) {
        LOG.warn(
                "the store is unavailable on {} {} (request {}): {}",
                ctx.method(),
                ctx.path(),
                ctx.<String>attribute(RequestIds.ATTRIBUTE),
                e.getMessage());
        ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        render(
                new ApiProblem(
                        503,
                        "unavailable",
                        "Service unavailable",
                        "the gateway can't reach its database right now; nothing of this call was acknowledged, try again (with the same idempotency key)"),
                ctx);
    }

    /** A bug: logged with its stack trace under the request id; the caller learns only that id. */
    public void renderUnexpected(Exception e, Context ctx) {
        // A body that ended early or had a broken chunk surfaces only when a handler reads it: the caller's mistake,
        // not ours.
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StoreUnavailableException unavailable) { // wrapped on its way out (a future, a stream)
                renderUnavailable(unavailable, ctx);
                return;
            }
            if (cause instanceof org.eclipse.jetty.http.HttpException http
                    && http.getCode() >= 400
                    && http.getCode() < 500) {
                render(
                        forStatus(
                                http.getCode(),
                                "the request body could not be read: it ended early or its chunked framing is broken"),
                        ctx);
                return;
            }
        }
        LOG.error(
                "unexpected error on {} {} (request {})",
                ctx.method(),
                ctx.path(),
                ctx.<String>attribute(RequestIds.ATTRIBUTE),
                e);
        render(
                new ApiProblem(
                        500,
                        "internal",
                        "Internal error",
                        "an internal error happened; the server log has it under this request id"),
                ctx);
    }

    /** The problem for an HTTP status that Jetty or Javalin decided on, with their message when there is one. */
    public static ApiProblem forStatus(int status, @Nullable String message) {
        return switch (status) {
            case 404 -> ApiProblem.notFound("no such route");
            case 405 ->
                new ApiProblem(405, "method-not-allowed", "Method not allowed", "this route does not take that method");
            case 413 ->
                new ApiProblem(
                        413,
                        "too-large",
                        "Request body too large",
                        "the request body is larger than the server accepts");
            case 400 ->
                ApiProblem.badRequest(message == null || message.isBlank() ? "the request is malformed" : message);
            case 414 ->
                new ApiProblem(
                        414, "uri-too-long", "URI too long", "the request's URI is longer than the server accepts");
            case 415 ->
                new ApiProblem(
                        415,
                        "unsupported-media-type",
                        "Unsupported media type",
                        message == null ? "this content type is not accepted" : message);
            case 431 ->
                new ApiProblem(
                        431,
                        "headers-too-large",
                        "Request headers too large",
                        "the request's headers are larger than the server accepts");
            default ->
                new ApiProblem(
                        status,
                        "http-" + status,
                        "HTTP " + status,
                        message == null ? "HTTP status " + status : message);
        };
    }
}
