package io.countersign.server.http;

/**
 * How errors look on the paths people read in a browser (the console): an HTML page instead of
 * problem+json. Everything else ({@code /v1}, {@code /integrations}, {@code /mcp}) gets problem+json.
 */
public interface ErrorPage {

    /** Whether {@code rawPath} (as sent, not decoded) is one of this page's paths. */
    boolean covers(String rawPath);

    /** The whole HTML page for an error; {@code message} is plain text, for the page to escape. */
    String html(int status, String message);
}
