package io.countersign.server.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The upstream of the HTTP proxy's tests: the JDK's HTTP server on a loopback port, recording every
 * request it receives (method, raw URI, headers, body). It answers JSON naming what it saw, with a
 * header of its own and a hop-by-hop one the proxy must strip; {@code /slow} answers after 5 s,
 * a path with a {@code /delayed/} segment after 0.5 s.
 */
final class RecordingUpstream implements AutoCloseable {
    record Received(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return String.join(", ", headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
        }

        /** Everything received, as text: for "this value never arrived" checks. */
        String all() {
            return method + " " + uri + "\n" + headers + "\n" + new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    RecordingUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::answer);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    void clear() {
        received.clear();
    }

    private void answer(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        byte[] body = exchange.getRequestBody().readAllBytes();
        String uri = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null
                        ? ""
                        : "?" + exchange.getRequestURI().getRawQuery());
        received.add(new Received(exchange.getRequestMethod(), uri, headers, body));
        if (uri.contains("/delayed/")) {
            // Long enough that retries racing on several nodes overlap while one is upstream.
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (uri.startsWith("/slow")) {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // The path only: an upstream that echoed its query would echo a query credential back.
        String path = exchange.getRequestURI().getRawPath().replace("\"", "");
        byte[] answer = ("{\"seen\": \"" + exchange.getRequestMethod() + " " + path + "\", \"bytes\": " + body.length
                        + "}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("X-Upstream", "recorded");
        exchange.getResponseHeaders().add("Proxy-Authenticate", "Basic realm=upstream");
        int status = exchange.getRequestMethod().equals("POST") ? 201 : 200;
        if (exchange.getRequestMethod().equals("HEAD")) {
            // The length a GET would have, as a HEAD answer says (RFC 9110 section 9.3.2); no body.
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(answer.length));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
