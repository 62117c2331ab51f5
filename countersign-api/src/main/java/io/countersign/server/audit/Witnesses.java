package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLog;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.proof.ProofBuilder;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands every new checkpoint to the configured witnesses ({@code audit.witnesses}), each on its
 * own background thread: appends and checkpoints never wait for a witness. See
 * {@link WitnessClient} for the protocol.
 */
public final class Witnesses implements AutoCloseable {
    private final List<WitnessClient> clients;

    private Witnesses(List<WitnessClient> clients) {
        this.clients = List.copyOf(clients);
    }

    public static Witnesses start(
            List<WitnessConfig> witnesses, ProofBuilder proofs, AuditLog log, Clock clock, AuditMetrics metrics) {
        requireNonNull(proofs, "proofs is null");
        requireNonNull(log, "log is null");
        requireNonNull(clock, "clock is null");
        List<WitnessClient> clients = new ArrayList<>();
        if (!witnesses.isEmpty()) {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            for (WitnessConfig witness : witnesses) {
                clients.add(WitnessClient.start(witness, http, proofs, log, clock, metrics.witness(witness.url())));
            }
        }
        return new Witnesses(clients);
    }

    /** Queues the checkpoint for every witness; a witness that is behind gets only the newest one. */
    public void offer(SignedCheckpoint checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        for (WitnessClient client : clients) {
            client.offer(checkpoint);
        }
    }

    @Override
    public void close() {
        clients.forEach(WitnessClient::close);
    }
}
