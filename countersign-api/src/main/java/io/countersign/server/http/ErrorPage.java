package io.countersign.server.http;

/**
 * How errors look on paths whose clients read something other than problem+json: an HTML page on
 * the paths people read in a browser (the console), a JSON-RPC error on {@code /mcp}. Everything
 * else ({@code /v1}, {@code /integrations}) gets problem+json.
 */
public interface ErrorPage {

    /** Whether {@code rawPath} (as sent, not decoded) is one of this page's paths. */
    boolean covers(String rawPath);

    /** The whole body for an error, in {@link #contentType()}; {@code message} is plain text, for the page to escape. */
    String html(int status, String message);

    /** The media type of {@link #html}'s body. */
    default String contentType() {
        return "text/html; charset=utf-8";
    }
}
