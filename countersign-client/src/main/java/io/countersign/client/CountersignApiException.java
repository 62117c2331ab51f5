package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;

/**
 * The server answered with an error, an {@code application/problem+json} body (RFC 9457) when it
 * sent one. For an answer without a problem body, {@code type} is {@code about:blank} and
 * {@code title} the status line's meaning.
 *
 * <p>Worth knowing by status: 400 bad input, 401 unknown or missing API key, 403 not allowed, 404
 * unknown request, 409 a grant already used or expired, 422 a grant for another action.
 */
public final class CountersignApiException extends CountersignException {
    private final String method;
    private final URI url;
    private final int status;
    private final String type;
    private final String title;
    private final Optional<String> detail;
    private final Optional<String> instance;

    public CountersignApiException(
            String method,
            URI url,
            int status,
            String type,
            String title,
            Optional<String> detail,
            Optional<String> instance) {
        super(message(method, url, status, title, detail));
        this.method = requireNonNull(method, "method is null");
        this.url = requireNonNull(url, "url is null");
        this.status = status;
        this.type = requireNonNull(type, "type is null");
        this.title = requireNonNull(title, "title is null");
        this.detail = requireNonNull(detail, "detail is null");
        this.instance = requireNonNull(instance, "instance is null");
    }

    private static String message(String method, URI url, int status, String title, Optional<String> detail) {
        return method + " " + url + " answered " + status + " " + title
                + detail.map(d -> ": " + d).orElse("");
    }

    /** The HTTP method of the call that failed. */
    public String method() {
        return method;
    }

    /** The URL of the call that failed. */
    public URI url() {
        return url;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The problem type, a URI reference; {@code about:blank} when the server gave none. */
    public String type() {
        return type;
    }

    /** The problem's short summary. */
    public String title() {
        return title;
    }

    /** What went wrong in this occurrence, if the server said. */
    public Optional<String> detail() {
        return detail;
    }

    /** The problem's own URI, if the server gave one. */
    public Optional<String> instance() {
        return instance;
    }
}
