package io.countersign.server.audit.verify;

import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.InclusionProof;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A running gateway, read through its audit API: checkpoints, the key and proofs are public;
 * entries need an auditor's or admin's bearer token unless the gateway has {@code audit.publicEntries}.
 */
public final class ServerSource implements AuditSource {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final JsonMapper mapper;
    private final Optional<String> token;

    public ServerSource(String baseUrl, JsonMapper mapper) {
        this(baseUrl, mapper, Optional.empty());
    }

    /** Sending {@code token} as a bearer token with every call; it is never printed. */
    public ServerSource(String baseUrl, JsonMapper mapper, Optional<String> token) {
        this.base = baseUrl.replaceAll("/+$", "");
        this.mapper = mapper;
        this.token = token.filter(t -> !t.isBlank());
    }

    @Override
    public String describe() {
        return "server " + base;
    }

    @Override
    public String checkpoint() throws IOException, SourceException {
        return new String(get("/v1/audit/checkpoint"), StandardCharsets.UTF_8);
    }

    @Override
    public Optional<String> offeredKey() throws IOException, SourceException {
        return Optional.of(new String(get("/v1/audit/key"), StandardCharsets.UTF_8).strip());
    }

    /** Pages through {@code GET /v1/audit/entries}; stops early when the server has fewer entries. */
    @Override
    public void entries(long size, EntrySink sink) throws IOException, SourceException {
        long position = 0;
        while (position < size) {
            byte[] page = get("/v1/audit/entries?start=" + position);
            int lineStart = 0;
            int delivered = 0;
            for (int i = 0; i < page.length && position < size; i++) {
                if (page[i] == '\n') {
                    byte[] leaf = java.util.Arrays.copyOfRange(page, lineStart, i);
                    lineStart = i + 1;
                    delivered++;
                    if (!sink.accept(position++, -1, leaf, null)) {
                        return;
                    }
                }
            }
            if (delivered == 0) {
                return; // the server has no more: the verifier reports the first missing entry
            }
        }
    }

    @Override
    public Optional<ConsistencyProof> consistency(long from, long to) {
        JsonNode proof = json("/v1/audit/proof/consistency?from=" + from + "&to=" + to);
        return Optional.of(new ConsistencyProof(from, to, hashes(proof)));
    }

    public InclusionProof inclusion(long index, long size) {
        return new InclusionProof(
                index, size, hashes(json("/v1/audit/proof/inclusion?index=" + index + "&size=" + size)));
    }

    @Override
    public void close() {
        http.close();
    }

    private JsonNode json(String path) {
        try {
            return mapper.readTree(get(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SourceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static List<byte[]> hashes(JsonNode proof) {
        List<byte[]> hashes = new ArrayList<>();
        for (JsonNode hash : proof.path("hashes")) {
            hashes.add(Base64.getDecoder().decode(hash.asString()));
        }
        return hashes;
    }

    private byte[] get(String path) throws IOException, SourceException {
        HttpResponse<byte[]> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(TIMEOUT)
                    .GET();
            token.ifPresent(bearer -> request.header("Authorization", "Bearer " + bearer));
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new SourceException("GET " + base + path + " failed: " + e, e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new SourceException("GET " + base + path + " answered HTTP " + response.statusCode()
                    + ": reading entries needs an auditor's"
                    + " or admin's token (--token or COUNTERSIGN_TOKEN), unless the gateway sets audit.publicEntries");
        }
        if (response.statusCode() != 200) {
            throw new SourceException("GET " + base + path + " answered HTTP " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return response.body();
    }
}
