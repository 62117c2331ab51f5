package io.countersign.server.http;

import io.countersign.workflow.WorkflowException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The one place where errors become RFC 9457 problem responses. Nothing else writes an error body. */
public final class ProblemRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemRenderer.class);
    public static final String CONTENT_TYPE = "application/problem+json";

    private final JsonMapper mapper;

    public ProblemRenderer(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public void render(ApiProblem problem, Context ctx) {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "urn:countersign:problem:" + problem.slug());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.put("instance", ctx.path());
        String requestId = ctx.attribute(RequestIds.ATTRIBUTE);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        if (problem.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        ctx.status(problem.status()).contentType(CONTENT_TYPE).result(mapper.writeValueAsBytes(body));
    }

    public void renderWorkflow(WorkflowException e, Context ctx) {
        ApiProblem problem = switch (e) {
            case WorkflowException.NotFound notFound -> ApiProblem.notFound(notFound.getMessage());
            case WorkflowException.Forbidden forbidden -> ApiProblem.forbidden(forbidden.getMessage());
            case WorkflowException.StepUpRequired stepUp -> new ApiProblem(403, "step-up-required", "A fresh sign-in is required", stepUp.getMessage());
            case WorkflowException.Conflict conflict -> new ApiProblem(409, "conflict", "Conflict with the request's state", conflict.getMessage());
            case WorkflowException.BadInput badInput -> ApiProblem.badRequest(badInput.getMessage());
            case WorkflowException.Unprocessable unprocessable -> new ApiProblem(422, "unprocessable", "The request can't be processed", unprocessable.getMessage());
        };
        render(problem, ctx);
    }

    /** Javalin's own errors (404 route, 405, 413 body too large...) keep their status, in our format. */
    public void renderHttp(HttpResponseException e, Context ctx) {
        render(forStatus(e.getStatus(), e.getMessage()), ctx);
    }

    public void renderStatus(Context ctx) {
        render(forStatus(ctx.statusCode(), null), ctx);
    }

    /** A bug: logged with its stack trace under the request id; the caller learns only that id. */
    public void renderUnexpected(Exception e, Context ctx) {
        LOG.error("unexpected error on {} {} (request {})", ctx.method(), ctx.path(), ctx.<String>attribute(RequestIds.ATTRIBUTE), e);
        render(new ApiProblem(500, "internal", "Internal error", "an internal error happened; the server log has it under this request id"), ctx);
    }

    private static ApiProblem forStatus(int status, String message) {
        return switch (status) {
            case 404 -> ApiProblem.notFound("no such route");
            case 405 -> new ApiProblem(405, "method-not-allowed", "Method not allowed", "this route does not take that method");
            case 413 -> new ApiProblem(413, "too-large", "Request body too large", "the request body is larger than the server accepts");
            case 400 -> ApiProblem.badRequest(message == null || message.isBlank() ? "the request is malformed" : message);
            default -> new ApiProblem(status, "http-" + status, "HTTP " + status, message == null ? "HTTP status " + status : message);
        };
    }
}
