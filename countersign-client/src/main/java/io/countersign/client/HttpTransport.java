package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One HTTP exchange with the server: headers, timeouts, the single retry, problem answers and
 * size limits. Thread-safe: it holds only immutable state and a thread-safe {@link HttpClient}.
 */
final class HttpTransport {
    /** Answers are a few kilobytes; anything this large is not a Countersign answer. */
    private static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    private static final int MAX_EXCERPT_CHARS = 200;
    private static final String USER_AGENT = "countersign-client-java/0.1";
    private static final Map<Integer, String> TITLES = Map.ofEntries(
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(409, "Conflict"),
            Map.entry(413, "Content Too Large"),
            Map.entry(422, "Unprocessable Content"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    private final HttpClient http;
    private final String base;
    private final ApiKey apiKey;
    private final Duration requestTimeout;

    HttpTransport(HttpClient http, URI baseUrl, ApiKey apiKey, Duration requestTimeout) {
        this.http = requireNonNull(http, "http is null");
        String url = baseUrl.toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.apiKey = requireNonNull(apiKey, "apiKey is null");
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout is null");
    }

    /** One call's shape; {@code waitSeconds} is how long the server may hold it (0 for none). */
    record Call(String method, String path, Optional<JsonNode> body, long waitSeconds, boolean retryable) {
        Call {
            requireNonNull(method, "method is null");
            requireNonNull(path, "path is null");
            requireNonNull(body, "body is null");
        }
    }

    /**
     * Sends the call and reads a 2xx answer with {@code reader}, which gets the JSON and a name for
     * the call to put in its errors.
     *
     * @throws CountersignApiException for any other status
     * @throws CountersignNetworkException when no answer came
     * @throws CountersignProtocolException when the answer is not what the contract says
     */
    <T> T send(Call call, BiFunction<JsonNode, String, T> reader) {
        URI url = URI.create(base + call.path() + (call.waitSeconds() > 0 ? "?wait=" + call.waitSeconds() + "s" : ""));
        HttpRequest request = request(call, url);
        String source = call.method() + " " + url;
        Answer answer = exchange(call, url, request);
        if (answer.status() / 100 != 2) {
            throw problem(call.method(), url, answer);
        }
        try {
            return reader.apply(parse(answer, source), source);
        } catch (CountersignProtocolException e) {
            String message = redact(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
            throw message.equals(e.getMessage()) ? e : new CountersignProtocolException(message);
        }
    }

    private HttpRequest request(Call call, URI url) {
        HttpRequest.BodyPublisher publisher = call.body()
                .map(json -> HttpRequest.BodyPublishers.ofByteArray(WireFormat.MAPPER.writeValueAsBytes(json)))
                .orElseGet(HttpRequest.BodyPublishers::noBody);
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .method(call.method(), publisher)
                // A long-poll is allowed its wait on top of the usual time to answer.
                .timeout(requestTimeout.plusSeconds(call.waitSeconds()))
                .header("Authorization", "Bearer " + apiKey.reveal())
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", USER_AGENT);
        call.body().ifPresent(json -> builder.header("Content-Type", "application/json"));
        return builder.build();
    }

    private Answer exchange(Call call, URI url, HttpRequest request) {
        IOException first = null;
        boolean retried = false;
        while (true) {
            try {
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    byte[] body = in.readNBytes(MAX_ANSWER_BYTES + 1);
                    if (body.length > MAX_ANSWER_BYTES) {
                        throw new CountersignProtocolException(
                                call.method() + " " + url + ": answer is larger than " + MAX_ANSWER_BYTES + " bytes");
                    }
                    int status = response.statusCode();
                    // A proxy's 502/503/504 says the gateway was not reached or did not answer in time.
                    if (!retried && call.retryable() && status >= 502 && status <= 504) {
                        retried = true;
                        continue;
                    }
                    return new Answer(status, response.headers(), body);
                }
            } catch (IOException e) {
                // Only a submit carrying an idempotency key may be repeated: the server maps the key to
                // the request it already made, so a resent call can't create a second one.
                if (!retried && call.retryable() && isConnectionFailure(e)) {
                    first = e;
                    retried = true;
                    continue;
                }
                if (first != null) {
                    e.addSuppressed(first);
                }
                throw new CountersignNetworkException(call.method(), url, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CountersignException("interrupted while waiting for " + call.method() + " " + url, e);
            }
        }
    }

    /** A refused, reset or closed connection, or one that could not be opened in time; not a slow answer. */
    private static boolean isConnectionFailure(IOException e) {
        return !(e instanceof HttpTimeoutException) || e instanceof HttpConnectTimeoutException;
    }

    private static JsonNode parse(Answer answer, String source) {
        try {
            return WireFormat.MAPPER.readTree(answer.body());
        } catch (JacksonException e) {
            throw new CountersignProtocolException(
                    source + ": answer " + answer.status() + " ("
                            + answer.headers().firstValue("Content-Type").orElse("no content type") + ") is not JSON: "
                            + excerpt(answer.body()),
                    e);
        }
    }

    private CountersignApiException problem(String method, URI url, Answer response) {
        int status = response.status();
        String fallbackTitle = TITLES.getOrDefault(status, "HTTP " + status);
        JsonNode json = null;
        try {
            json = WireFormat.MAPPER.readTree(response.body());
        } catch (JacksonException e) {
            // Not a problem body (a proxy's HTML page, say): keep a short excerpt as the detail.
        }
        if (json == null || !json.isObject()) {
            Optional<String> detail =
                    response.body().length == 0 ? Optional.empty() : Optional.of(redact(excerpt(response.body())));
            String location = status / 100 == 3
                    ? response.headers()
                            .firstValue("Location")
                            .map(l -> " to " + l)
                            .orElse("")
                    : "";
            return new CountersignApiException(
                    method, url, status, "about:blank", fallbackTitle + location, detail, Optional.empty());
        }
        return new CountersignApiException(
                method,
                url,
                status,
                text(json, "type").orElse("about:blank"),
                text(json, "title").orElse(fallbackTitle),
                text(json, "detail"),
                text(json, "instance"));
    }

    private Optional<String> text(JsonNode problem, String field) {
        JsonNode value = problem.get(field);
        return value != null && value.isString() ? Optional.of(redact(value.stringValue())) : Optional.empty();
    }

    /** The server has no reason to repeat the key, but if anything in between does, it stops here. */
    private String redact(String text) {
        return text.replace(apiKey.reveal(), "***");
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= MAX_EXCERPT_CHARS ? text : text.substring(0, MAX_EXCERPT_CHARS) + "...";
    }

    /** A response with its body read into memory. */
    private record Answer(int status, HttpHeaders headers, byte[] body) {}
}
