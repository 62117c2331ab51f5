package io.countersign.server.audit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A witness on 127.0.0.1 that does what a real one must: checks the log's signature, answers
 * 409 with its size when the sender's previous size is not the one it knows, and accepts a new
 * checkpoint only with a consistency proof from the one it has.
 */
final class FakeWitness implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final NoteVerifier logKey;
    private Checkpoint known; // guarded by this
    private final List<Long> accepted = new ArrayList<>(); // guarded by this
    private final List<String> rejected = new ArrayList<>(); // guarded by this
    private int conflicts; // guarded by this

    FakeWitness(NoteVerifier logKey) throws IOException {
        this.logKey = logKey;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/witness", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/witness";
    }

    synchronized long size() {
        return known == null ? -1 : known.size();
    }

    synchronized List<Long> accepted() {
        return List.copyOf(accepted);
    }

    synchronized List<String> rejected() {
        return List.copyOf(rejected);
    }

    synchronized int conflicts() {
        return conflicts;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            synchronized (this) {
                Checkpoint checkpoint;
                try {
                    checkpoint = SignedCheckpoint.open(body.path("checkpoint").asString(), logKey);
                } catch (TlogException e) {
                    reject(exchange, 422, "bad signature: " + e.getMessage());
                    return;
                }
                long previous = body.path("previousSize").longValue();
                if (known != null && previous != known.size()) {
                    conflicts++;
                    answer(exchange, 409, "{\"size\":" + known.size() + "}");
                    return;
                }
                if (known != null) {
                    List<byte[]> proof = new ArrayList<>();
                    body.path("consistency")
                            .forEach(hash -> proof.add(Base64.getDecoder().decode(hash.asString())));
                    try {
                        if (known.size() > 0) {
                            ProofVerifier.verifyConsistency(
                                    known.size(), checkpoint.size(), known.rootHash(), checkpoint.rootHash(), proof);
                        }
                    } catch (TlogException e) {
                        reject(exchange, 422, "inconsistent: " + e.getMessage());
                        return;
                    }
                }
                known = checkpoint;
                accepted.add(checkpoint.size());
                answer(exchange, 200, "{}");
            }
        }
    }

    private void reject(HttpExchange exchange, int status, String why) throws IOException {
        rejected.add(why);
        answer(exchange, status, "{\"error\":\"" + why.replace("\"", "'") + "\"}");
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
