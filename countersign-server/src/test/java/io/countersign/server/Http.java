package io.countersign.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests: JSON in, status + headers + JSON out. */
final class Http {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    Http(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    record Response(int status, String contentType, String body) {
        JsonNode json() {
            return MAPPER.readTree(body);
        }

        String text(String field) {
            return json().path(field).asString();
        }
    }

    Response get(String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET(), token);
    }

    Response post(String path, String token, String body) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)),
                token);
    }

    Response post(String path, String token, String body, String header, String value) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .header("Content-Type", "application/json")
                        .header(header, value)
                        .POST(HttpRequest.BodyPublishers.ofString(body)),
                token);
    }

    /** A body that is not text (a zip); asserts 200. */
    byte[] getBytes(String path, String token) {
        try {
            HttpResponse<byte[]> response = client.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + path))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(90))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            conforms(response.request(), response.statusCode(), response.headers(), "");
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response put(String path, String token, String body) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body)),
                token);
    }

    Response postBytes(String path, String token, byte[] body) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                token);
    }

    private Response send(HttpRequest.Builder builder, String token) {
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response =
                    client.send(builder.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
            return conforms(response.request(), response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answer, once it is known to be what the OpenAPI document says this route answers: a
     * documented status and content type and, for JSON, a body that validates against the
     * schema. Every test that talks to the gateway through this class checks the contract on the
     * way (see {@link ApiContract#validatedOperation} for the routes it covers).
     */
    private static Response conforms(HttpRequest request, int status, HttpHeaders headers, String body) {
        Response response =
                new Response(status, headers.firstValue("Content-Type").orElse(""), body);
        ApiContract contract = ApiContract.bundled();
        Optional<ApiContract.Operation> operation =
                contract.validatedOperation(request.method(), request.uri().getRawPath());
        if (operation.isEmpty()) {
            return response;
        }
        List<String> violations = contract.violations(operation.get().name(), response);
        if (!violations.isEmpty()) {
            throw new AssertionError("the answer to " + request.method() + " " + request.uri()
                    + " breaks the OpenAPI document:\n" + String.join("\n", violations));
        }
        AnswerLedger.record(operation.get().name(), status);
        return response;
    }

    static String json(Object... keyValues) {
        var node = MAPPER.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            node.set((String) keyValues[i], MAPPER.valueToTree(keyValues[i + 1]));
        }
        return MAPPER.writeValueAsString(node);
    }
}
