package io.countersign.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback hop in front of a gateway that loses the gateway's answers to the first {@code n}
 * submissions (POST /v1/actions): the gateway made the request, the client only sees the
 * connection close, as when a load balancer or the network drops it. Everything else is passed
 * through. It keeps the answers it lost, for the test to compare with what the client got.
 */
final class AnswerLosingProxy implements AutoCloseable {
    private final HttpServer server;
    private final HttpClient upstream =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String gateway;
    private final AtomicInteger toLose;
    private final List<String> lost = new CopyOnWriteArrayList<>();

    AnswerLosingProxy(String gatewayBaseUrl, int submissionsToLose) throws IOException {
        this.gateway = gatewayBaseUrl;
        this.toLose = new AtomicInteger(submissionsToLose);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::forward);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The bodies of the answers the gateway gave and the client never saw. */
    List<String> lostAnswers() {
        return List.copyOf(lost);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(90))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Authorization", "Content-Type", "Accept")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            HttpResponse<byte[]> answer = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            boolean submission = exchange.getRequestMethod().equals("POST")
                    && exchange.getRequestURI().getPath().equals("/v1/actions");
            if (submission && toLose.getAndDecrement() > 0) {
                lost.add(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
                return; // closed without an answer
            }
            answer.headers().firstValue("Content-Type").ifPresent(type -> exchange.getResponseHeaders()
                    .set("Content-Type", type));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            exchange.getResponseBody().write(answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        upstream.close();
    }
}
