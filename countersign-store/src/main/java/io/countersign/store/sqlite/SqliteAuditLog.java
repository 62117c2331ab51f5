package io.countersign.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLeafSink;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.SqlAuditLog;
import io.countersign.store.sql.SqlCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The audit log's Merkle tree and signed checkpoints in the SQLite store: what the server's
 * proofs, checkpointer and verifier read, and where signed checkpoints are kept. Reads use the
 * store's read-only connections; writes go through its group-commit writer. Thread-safe.
 */
public final class SqliteAuditLog extends SqlAuditLog {
    private final GroupCommitWriter writer;

    SqliteAuditLog(Reads reads, GroupCommitWriter writer, AuditTable entries) {
        super(reads, entries);
        this.writer = requireNonNull(writer, "writer is null");
    }

    /**
     * Keeps a signed checkpoint, durably when this returns, through the group-commit writer.
     *
     * @return false when a checkpoint of that size was already kept (the new one is dropped)
     * @throws IllegalArgumentException when the size or root does not match the tree
     */
    @Override
    public boolean addCheckpoint(StoredCheckpoint checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        return writer.submit(batch -> batch.sql(
                "keep the audit checkpoint of size " + checkpoint.size(),
                connection -> insertMatchingCheckpoint(connection, checkpoint)));
    }

    @Override
    public boolean addCosignature(long size, String witness, String line, Instant receivedAt) {
        requireNonNull(witness, "witness is null");
        requireNonNull(line, "line is null");
        requireNonNull(receivedAt, "receivedAt is null");
        return writer.submit(batch -> batch.sql(
                "keep the cosignature of witness " + witness + " for size " + size,
                connection -> insertCosignature(connection, size, witness, line, receivedAt)));
    }

    /**
     * Hands every stored entry with {@code seq >= start} to {@code sink} in sequence order, from
     * one snapshot, exactly as stored: no check for gaps, so that a verifier sees a damaged log
     * as it is.
     *
     * @throws IOException when the sink throws it
     */
    @Override
    public void scanEntries(long start, AuditLeafSink sink) throws IOException {
        requireNonNull(sink, "sink is null");
        try {
            reads.read("scan audit entries from " + start, SqlCall.effect(connection -> {
                try {
                    entries.scan(connection, start, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // crosses the lambda; unwrapped just below
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
