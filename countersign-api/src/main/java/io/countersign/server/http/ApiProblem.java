package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

/**
 * An error the API answers with, as RFC 9457 problem details. Thrown by handlers and the edges
 * of the server; rendered in one place ({@link ProblemRenderer}).
 */
public final class ApiProblem extends RuntimeException {
    private final int status;
    private final String slug;
    private final String title;
    // Kept apart from getMessage(), which Throwable allows to be null: a problem always has its detail.
    private final String detail;

    public ApiProblem(int status, String slug, String title, String detail) {
        super(requireNonNull(detail, "detail is null"), null, false, false);
        this.detail = detail;
        this.status = status;
        this.slug = requireNonNull(slug, "slug is null");
        this.title = requireNonNull(title, "title is null");
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "bad-request", "The request is malformed", detail);
    }

    public static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "unauthorized", "Authentication is required", detail);
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Not allowed", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail);
    }

    public int status() {
        return status;
    }

    /** The last part of the problem's type URI, {@code urn:countersign:problem:<slug>}. */
    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }
}
