package io.countersign.server.audit;

import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.proof.ProofBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Delivers checkpoints to one witness: {@code POST <url>} with
 * {@code {"checkpoint": "<signed note>", "previousSize": N, "consistency": ["<base64>", ...]}},
 * the consistency proof from the last checkpoint this witness acknowledged (size N) to the new
 * one; empty when N is 0 (the witness's first checkpoint of this log) or the sizes are equal.
 *
 * <p>Answers: 2xx, acknowledged; 409 with {@code {"size": M}}, the witness knows this log at
 * another size M (after a restart of the gateway, which does not remember what was witnessed):
 * the same checkpoint goes again at once with the proof from M. Anything else, or no answer, is
 * a failure: logged, counted, and retried with exponential backoff (0.5 s to 30 s), always with
 * the newest checkpoint. A witness that claims a size larger than the log is a sign the log was
 * rolled back, or of a confused witness: logged as an error and retried with backoff.
 */
final class WitnessClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WitnessClient.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final HttpClient http;
    private final ProofBuilder proofs;
    private final AuditMetrics.Witness metrics;
    private final JsonMapper mapper;
    private final Thread thread;
    private @Nullable SignedCheckpoint latest; // guarded by this
    private boolean closed; // guarded by this
    private long witnessedSize; // delivery thread only: the size the witness knows, 0 when unknown
    private long deliveredSize = -1; // guarded by this: the newest size this process delivered

    private WitnessClient(
            URI url, HttpClient http, ProofBuilder proofs, AuditMetrics.Witness metrics, JsonMapper mapper) {
        this.url = url;
        this.http = http;
        this.proofs = proofs;
        this.metrics = metrics;
        this.mapper = mapper;
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("audit-witness-" + url.getHost())
                .unstarted(this::deliverForever);
    }

    static WitnessClient start(
            URI url, HttpClient http, ProofBuilder proofs, AuditMetrics.Witness metrics, JsonMapper mapper) {
        WitnessClient client = new WitnessClient(url, http, proofs, metrics, mapper);
        client.thread.start();
        return client;
    }

    synchronized void offer(SignedCheckpoint checkpoint) {
        if (latest == null
                || checkpoint.checkpoint().size() > latest.checkpoint().size()) {
            latest = checkpoint;
            notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliverForever() {
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            SignedCheckpoint next;
            try {
                next = nextToDeliver();
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                return;
            }
            if (deliver(next)) {
                backoff = FIRST_BACKOFF;
                continue;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Waits for a checkpoint newer than the witnessed one; null once closed. */
    private synchronized @Nullable SignedCheckpoint nextToDeliver() throws InterruptedException {
        while (!closed && (latest == null || latest.checkpoint().size() <= deliveredSize)) {
            wait();
        }
        return closed ? null : latest;
    }

    /** One attempt, plus the immediate resend a 409 asks for; true when the witness acknowledged it. */
    private boolean deliver(SignedCheckpoint checkpoint) {
        long size = checkpoint.checkpoint().size();
        for (int attempt = 0; attempt < 2; attempt++) {
            long previous = witnessedSize;
            if (previous > size) {
                LOG.error(
                        "witness {} knows this log at size {}, larger than the newest checkpoint {}: was the log rolled back?",
                        url,
                        previous,
                        size);
                metrics.failed();
                witnessedSize = 0; // ask the witness again next time
                return false;
            }
            HttpResponse<String> response;
            try {
                response = http.send(
                        HttpRequest.newBuilder(url)
                                .timeout(REQUEST_TIMEOUT)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body(checkpoint, previous)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException | RuntimeException e) {
                LOG.warn("posting the checkpoint of size {} to witness {} failed: {}", size, url, e.toString());
                metrics.failed();
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            int status = response.statusCode();
            if (status / 100 == 2) {
                witnessedSize = size;
                synchronized (this) {
                    deliveredSize = Math.max(deliveredSize, size);
                }
                metrics.delivered(size);
                return true;
            }
            if (status == 409) {
                long known = knownSize(response.body());
                if (known >= 0 && known != previous) {
                    metrics.conflict();
                    witnessedSize = known;
                    continue;
                }
            }
            LOG.warn(
                    "witness {} refused the checkpoint of size {} (previous size {}): HTTP {} {}",
                    url,
                    size,
                    previous,
                    status,
                    abbreviate(response.body()));
            metrics.failed();
            return false;
        }
        metrics.failed();
        return false;
    }

    private byte[] body(SignedCheckpoint checkpoint, long previousSize) {
        long size = checkpoint.checkpoint().size();
        List<byte[]> proof = previousSize == 0 || previousSize == size
                ? List.of()
                : proofs.consistency(previousSize, size).hashes();
        ObjectNode body = mapper.createObjectNode();
        body.put("checkpoint", checkpoint.format());
        body.put("previousSize", previousSize);
        ArrayNode hashes = body.putArray("consistency");
        proof.forEach(hash -> hashes.add(Base64.getEncoder().encodeToString(hash)));
        return mapper.writeValueAsBytes(body);
    }

    private long knownSize(String body) {
        try {
            JsonNode size = mapper.readTree(body).path("size");
            return size.isIntegralNumber() && size.longValue() >= 0 ? size.longValue() : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
