package io.countersign.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback hop between clients the test does not write (the TypeScript and Python SDKs, run as
 * child processes) and a gateway, that holds every answer of the gateway's own API to the OpenAPI
 * document on the way, as {@link Http} does for the Java tests. It passes requests and answers
 * through unchanged; when the gateway can't be reached (a restart), it closes the client's
 * connection without an answer, as the gateway's own absence would look. It counts what it
 * validated and keeps what broke the contract, for the test to assert at its end.
 */
final class ValidatingProxy implements AutoCloseable {
    /** Set by HttpClient itself, or hop-by-hop: never copied across. */
    private static final Set<String> NOT_FORWARDED =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient upstream =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String gateway;
    private final ApiContract contract = ApiContract.bundled();
    private final AtomicInteger validated = new AtomicInteger();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    ValidatingProxy(String gatewayBaseUrl) throws IOException {
        this.gateway = gatewayBaseUrl;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads); // long-polls hold their thread for up to a minute
        server.createContext("/", this::forward);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many answers were held to the document. */
    int validatedAnswers() {
        return validated.get();
    }

    /** What broke the document, one line per answer; empty when everything conformed. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(90))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> header :
                    exchange.getRequestHeaders().entrySet()) {
                if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    header.getValue().forEach(value -> request.header(header.getKey(), value));
                }
            }
            HttpResponse<byte[]> answer;
            try {
                answer = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException unreachable) {
                return; // closed without an answer: the client sees the gateway gone, and reconnects
            }
            check(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), answer);
            answer.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] bytes = answer.body();
            exchange.sendResponseHeaders(answer.statusCode(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void check(String method, String rawPath, HttpResponse<byte[]> answer) {
        Optional<ApiContract.Operation> operation = contract.validatedOperation(method, rawPath);
        if (operation.isEmpty()) {
            return;
        }
        Http.Response response = new Http.Response(
                answer.statusCode(),
                answer.headers().firstValue("Content-Type").orElse(""),
                new String(answer.body(), StandardCharsets.UTF_8));
        List<String> broken = contract.violations(operation.get().name(), response);
        if (broken.isEmpty()) {
            validated.incrementAndGet();
            AnswerLedger.record(operation.get().name(), answer.statusCode());
        } else {
            violations.add(method + " " + rawPath + ": " + String.join("; ", broken));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        upstream.close();
        threads.shutdownNow();
    }
}
