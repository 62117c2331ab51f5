package io.countersign.server.audit.verify;

import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.tree.HashReader;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where a verifier reads a log from: a running server, a data folder, or an export file. What a
 * source says is untrusted; {@link LogVerifier} checks it against a signed checkpoint and the
 * key the user trusts.
 */
public interface AuditSource extends AutoCloseable {

    /** Receives the entries in log order. */
    @FunctionalInterface
    interface EntrySink {
        /**
         * @param position the entry's place in what the source returned, from 0
         * @param storedSeq the sequence number the source stored it under (the data folder's
         *     column), or -1 when the source has only the order
         * @param leaf the exact leaf bytes
         * @param listedHash the leaf hash the source lists for this entry (an export's hash
         *     list), or null
         * @return false to stop the stream
         */
        boolean accept(long position, long storedSeq, byte[] leaf, byte @Nullable [] listedHash) throws IOException;
    }

    /** For messages: "data folder /var/lib/countersign". */
    String describe();

    /** The newest signed checkpoint the source has, as text. */
    String checkpoint() throws IOException, SourceException;

    /** The verifier key the source offers, if any: trusted only on first use, when the user asks for it. */
    Optional<String> offeredKey() throws IOException, SourceException;

    /**
     * Streams the entries from 0: at least {@code size} of them when the source has them;
     * sources that know more (a data folder) may go on past it.
     */
    void entries(long size, EntrySink sink) throws IOException, SourceException;

    /**
     * A consistency proof from the source's own tree (stored nodes, a server, an export's hash
     * list), used only to find which entry differs once a root did not match; empty when the
     * source can't give one.
     */
    Optional<ConsistencyProof> consistency(long from, long to);

    /**
     * The Merkle tree nodes the source stores and serves proofs from (a data folder or database);
     * empty when the source has only entries. The verifier checks every one of them against the
     * tree it computes from the entries, since a changed node leaves the entries and the root
     * intact but makes the proofs served from it wrong.
     */
    default Optional<HashReader> storedTree() {
        return Optional.empty();
    }

    /** The other signed checkpoints the source keeps (a data folder keeps them all), smallest size first. */
    default void storedCheckpoints(Consumer<String> sink) throws SourceException {}

    /**
     * After {@link #entries}: the first stored entry whose columns kept beside the leaf (type,
     * request id, time) disagree with the leaf, named, when the source stores such columns (a
     * data folder). Checked last, so that a changed leaf is reported as a changed leaf.
     */
    default Optional<String> storedRowProblem() {
        return Optional.empty();
    }

    @Override
    void close();

    /**
     * The source can't be read as a log: an unreachable server, a data folder without a
     * checkpoint ({@link #damaged()} false: nothing could be checked), or an export file whose
     * layout was changed ({@link #damaged()} true: that is a verification failure in itself).
     */
    final class SourceException extends Exception {
        private final boolean damaged;

        public SourceException(String message) {
            this(message, false, null);
        }

        public SourceException(String message, Throwable cause) {
            this(message, false, cause);
        }

        public SourceException(String message, boolean damaged, @Nullable Throwable cause) {
            super(message, cause);
            this.damaged = damaged;
        }

        /** Whether the source itself shows it was changed. */
        public boolean damaged() {
            return damaged;
        }
    }
}
