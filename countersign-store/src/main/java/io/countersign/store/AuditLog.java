package io.countersign.store;

import io.countersign.tlog.tree.HashReader;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The audit log's Merkle tree and signed checkpoints, as a store keeps them: what the server's
 * proofs, checkpointer and verifier read, and where signed checkpoints are kept. Thread-safe.
 */
public interface AuditLog {

    /** The number of entries the Merkle tree covers; equal to the log's size once a write committed. */
    long treeSize();

    /**
     * The stored tree's nodes, for {@code ProofBuilder} and {@code TreeReader}. Asking for a node
     * beyond the tree throws {@link StoreException}.
     */
    HashReader hashes();

    /** The RFC 6962 root of the first {@code size} entries. */
    byte[] root(long size);

    /** The newest kept checkpoint, its note carrying the witnesses' cosignatures kept so far. */
    Optional<StoredCheckpoint> latestCheckpoint();

    /** Hands every stored checkpoint to {@code sink}, smallest size first, from one snapshot. */
    void eachCheckpoint(Consumer<StoredCheckpoint> sink);

    /**
     * Keeps a signed checkpoint, durably when this returns. Refused when its root is not this
     * tree's root at its size, or its size is beyond the tree.
     *
     * @return false when a checkpoint of that size was already kept (the new one is dropped)
     * @throws IllegalArgumentException when the size or root does not match the tree
     */
    boolean addCheckpoint(StoredCheckpoint checkpoint);

    /**
     * Keeps a witness's cosignature line ({@code — <witness> <base64>}, already verified by the
     * caller) for the kept checkpoint of {@code size}, durably when this returns. From then on
     * {@link #latestCheckpoint} and {@link #eachCheckpoint} return that checkpoint's note with
     * the line appended.
     *
     * @return false when the witness already has a cosignature for that size (the new one is dropped)
     * @throws IllegalArgumentException when no checkpoint of that size is kept
     */
    boolean addCosignature(long size, String witness, String line, Instant receivedAt);

    /** The largest checkpoint size {@code witness} cosigned, as kept; empty when none. */
    OptionalLong latestCosigned(String witness);

    /**
     * Hands every stored entry with {@code seq >= start} to {@code sink} in sequence order, from
     * one snapshot, exactly as stored: no check for gaps, so that a verifier sees a damaged log
     * as it is.
     *
     * @throws IOException when the sink throws it
     */
    void scanEntries(long start, AuditLeafSink sink) throws IOException;

    /**
     * The first entry in [from, to) that a gateway node did not write: its stored MAC
     * ({@link EntryMacs}) is missing or does not verify under this store's key. Empty when all do.
     */
    Optional<Long> firstUnauthenticated(long from, long to);

    /**
     * Whether this process is the one that signs checkpoints now. Always true for a store only
     * one gateway uses; with several gateway nodes on one database, true on exactly one of them
     * at a time (the holder of a lock that the database frees when that node dies).
     */
    default boolean isSigner() {
        return true;
    }
}
