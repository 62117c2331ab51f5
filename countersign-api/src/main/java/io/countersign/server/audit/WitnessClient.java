package io.countersign.server.audit;

import io.countersign.store.AuditLog;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.Cosignature;
import io.countersign.tlog.cosignature.CosignatureException;
import io.countersign.tlog.cosignature.WitnessKey;
import io.countersign.tlog.note.MalformedNoteException;
import io.countersign.tlog.note.Note;
import io.countersign.tlog.note.NoteSignature;
import io.countersign.tlog.proof.ProofBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers checkpoints to one witness as c2sp.org/tlog-witness specifies: {@code POST
 * <prefix>/add-checkpoint} with the body {@code old <size>\n}, the consistency proof from that
 * size to the new checkpoint's (base64, one hash a line; none when the old size is 0 or equal),
 * a blank line, and the signed checkpoint.
 *
 * <p>Answers: 200 with note signature lines: the line from the configured witness key is
 * verified as a {@code cosignature/v1} of the checkpoint and kept in the store beside it (other
 * keys' lines are ignored, as the spec requires); 200 without a valid cosignature from that key
 * is a failure. 409 with {@code text/x.tlog.size} and {@code <size>\n}: the witness knows this
 * log at that size, so the same checkpoint goes again at once with the proof from there. The
 * old size starts, after a restart, at the largest size this witness cosigned as kept in the
 * store, so a restart costs no round trip and no {@code old 0}. Anything else, or no answer, is
 * a failure: logged, counted, and retried with exponential backoff (0.5 s to 30 s), always with
 * the newest checkpoint. A witness that claims a size larger than the log is a sign the log was
 * rolled back, or of a confused witness: logged as an error and retried with backoff.
 */
final class WitnessClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WitnessClient.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);
    /** The media type of a 409's body, the size the witness knows. */
    static final String SIZE_TYPE = "text/x.tlog.size";

    private final WitnessConfig witness;
    private final URI endpoint;
    private final HttpClient http;
    private final ProofBuilder proofs;
    private final AuditLog log;
    private final Clock clock;
    private final AuditMetrics.Witness metrics;
    private final Thread thread;
    private @Nullable SignedCheckpoint latest; // guarded by this
    private boolean closed; // guarded by this
    private long witnessedSize = -1; // delivery thread only: the size the witness knows, -1 until read from the store
    private long deliveredSize = -1; // guarded by this: the newest size this process had cosigned

    private WitnessClient(
            WitnessConfig witness,
            HttpClient http,
            ProofBuilder proofs,
            AuditLog log,
            Clock clock,
            AuditMetrics.Witness metrics) {
        this.witness = witness;
        this.endpoint = witness.addCheckpoint();
        this.http = http;
        this.proofs = proofs;
        this.log = log;
        this.clock = clock;
        this.metrics = metrics;
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("audit-witness-" + witness.url().getHost())
                .unstarted(this::deliverForever);
    }

    static WitnessClient start(
            WitnessConfig witness,
            HttpClient http,
            ProofBuilder proofs,
            AuditLog log,
            Clock clock,
            AuditMetrics.Witness metrics) {
        WitnessClient client = new WitnessClient(witness, http, proofs, log, clock, metrics);
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

    /**
     * Stops after the delivery in flight, if any, has had {@link #CLOSE_GRACE} to finish: a
     * checkpoint the witness cosigned but this process never stored would make the next start
     * offer an old size the witness has moved past.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(CLOSE_GRACE);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(5_000);
            }
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
                if (!pause(backoff)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Waits out a backoff; false at once when closed, so closing never waits for a backoff. */
    private synchronized boolean pause(Duration backoff) throws InterruptedException {
        long deadline = System.nanoTime() + backoff.toNanos();
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return !closed;
    }

    /** Waits for a checkpoint newer than the cosigned one; null once closed. */
    private synchronized @Nullable SignedCheckpoint nextToDeliver() throws InterruptedException {
        while (!closed && (latest == null || latest.checkpoint().size() <= deliveredSize)) {
            wait();
        }
        return closed ? null : latest;
    }

    /** One attempt, plus the immediate resend a 409 asks for; true when the witness cosigned it. */
    private boolean deliver(SignedCheckpoint checkpoint) {
        long size = checkpoint.checkpoint().size();
        if (witnessedSize < 0) {
            try {
                witnessedSize = log.latestCosigned(witness.key().name()).orElse(0L);
            } catch (RuntimeException e) {
                LOG.warn("reading what witness {} cosigned failed: {}", witness.url(), e.getMessage());
                metrics.failed();
                return false;
            }
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            long previous = witnessedSize;
            if (previous > size) {
                LOG.error(
                        "witness {} knows this log at size {}, larger than the newest checkpoint {}: was the log rolled back?",
                        witness.url(),
                        previous,
                        size);
                metrics.failed();
                witnessedSize = 0; // ask the witness again next time
                return false;
            }
            HttpResponse<String> response;
            try {
                response = http.send(
                        HttpRequest.newBuilder(endpoint)
                                .timeout(REQUEST_TIMEOUT)
                                .header("Content-Type", "text/plain; charset=utf-8")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body(checkpoint, previous)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                LOG.warn("posting the checkpoint of size {} to witness {} failed: {}", size, endpoint, e.toString());
                metrics.failed();
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            int status = response.statusCode();
            if (status == 200) {
                witnessedSize = size;
                return keep(checkpoint, response.body());
            }
            if (status == 409) {
                long known = knownSize(response);
                if (known >= 0 && known != previous) {
                    metrics.conflict();
                    witnessedSize = known;
                    continue;
                }
                if (known == previous && previous == size) {
                    LOG.error(
                            "witness {} has another root for size {} of this log than the checkpoint: a split view?",
                            witness.url(),
                            size);
                    metrics.failed();
                    return false;
                }
            }
            LOG.warn(
                    "witness {} refused the checkpoint of size {} (old size {}): HTTP {} {}",
                    endpoint,
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

    /** Verifies the witness's cosignature among the answer's lines and keeps it; false when there is none. */
    private boolean keep(SignedCheckpoint checkpoint, String answer) {
        long size = checkpoint.checkpoint().size();
        WitnessKey key = witness.key();
        Optional<Cosignature> cosignature;
        try {
            // The spec's way to read the answer: the lines are note signature lines of the checkpoint.
            List<NoteSignature> lines =
                    Note.parse(checkpoint.note().text() + "\n" + answer).signatures();
            cosignature = key.find(checkpoint.checkpoint(), lines);
        } catch (MalformedNoteException | CosignatureException e) {
            LOG.warn(
                    "witness {} answered the checkpoint of size {} with a bad cosignature: {}",
                    endpoint,
                    size,
                    e.getMessage());
            metrics.failed();
            return false;
        }
        if (cosignature.isEmpty()) {
            LOG.warn(
                    "witness {} accepted the checkpoint of size {} but sent no cosignature from its key {}: {}",
                    endpoint,
                    size,
                    key,
                    abbreviate(answer));
            metrics.failed();
            return false;
        }
        try {
            log.addCosignature(size, key.name(), cosignature.get().line(), clock.instant());
        } catch (RuntimeException e) {
            // The witness has it; only our copy is missing. The next checkpoint brings a new one.
            LOG.warn("keeping the cosignature of witness {} for size {} failed: {}", key.name(), size, e.getMessage());
        }
        synchronized (this) {
            deliveredSize = Math.max(deliveredSize, size);
        }
        metrics.delivered(size);
        return true;
    }

    private byte[] body(SignedCheckpoint checkpoint, long oldSize) {
        long size = checkpoint.checkpoint().size();
        StringBuilder body = new StringBuilder("old ").append(oldSize).append('\n');
        if (oldSize != 0 && oldSize != size) {
            for (byte[] hash : proofs.consistency(oldSize, size).hashes()) {
                body.append(Base64.getEncoder().encodeToString(hash)).append('\n');
            }
        }
        body.append('\n').append(checkpoint.format());
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The size in a spec 409 ({@code text/x.tlog.size}, {@code <decimal>\n}), or -1. */
    private static long knownSize(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        String body = response.body();
        if (!type.strip().toLowerCase(Locale.ROOT).startsWith(SIZE_TYPE) || !body.endsWith("\n")) {
            return -1;
        }
        String digits = body.substring(0, body.length() - 1);
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            return -1;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
