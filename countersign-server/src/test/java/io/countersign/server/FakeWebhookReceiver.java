package io.countersign.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A webhook receiver on loopback that records what arrives; it can answer errors, or go away and come back on the same port. */
final class FakeWebhookReceiver implements AutoCloseable {
    record Received(Map<String, String> headers, String body) {}

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(204);
    private final AtomicInteger delayMillis = new AtomicInteger();
    private int port;
    private HttpServer server;

    FakeWebhookReceiver() {
        start(0);
    }

    private void start(int wantedPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(delayMillis.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int answer = status.get();
            if (answer / 100 == 2) {
                received.add(new Received(
                        Map.of(
                                "webhook-id", exchange.getRequestHeaders().getFirst("webhook-id"),
                                "webhook-timestamp",
                                        exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                                "webhook-signature",
                                        exchange.getRequestHeaders().getFirst("webhook-signature"),
                                "content-type", exchange.getRequestHeaders().getFirst("content-type")),
                        new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hook");
    }

    /** A slow receiver: each answer takes this long. */
    void delay(int millis) {
        delayMillis.set(millis);
    }

    void answer(int newStatus) {
        status.set(newStatus);
    }

    /** Unreachable: the port refuses connections until {@link #comeBack()}. */
    void goAway() {
        server.stop(0);
    }

    void comeBack() {
        start(port);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
