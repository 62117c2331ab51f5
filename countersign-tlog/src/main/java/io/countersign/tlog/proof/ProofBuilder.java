package io.countersign.tlog.proof;

import io.countersign.tlog.internal.ProofPlan;
import io.countersign.tlog.tree.HashReader;
import java.util.List;
import java.util.Objects;

/**
 * Builds inclusion and consistency proofs from stored nodes (see {@link HashReader} for which
 * exist) with one batched read of O(log n) nodes per proof: at most two per tree level.
 * Thread-safe when the reader is.
 *
 * <p>Sizes passed in must not exceed the size of the stored tree; the reader reports the
 * missing nodes otherwise.
 */
public final class ProofBuilder {
    private final HashReader reader;

    public ProofBuilder(HashReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader is null");
    }

    /**
     * The audit path of leaf {@code index} in the tree of {@code size} leaves (RFC 9162
     * §2.1.3.1).
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < size}
     */
    public InclusionProof inclusion(long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " is out of range for tree size " + size);
        }
        return new InclusionProof(index, size, read(ProofPlan.path(index, 0, size, false)));
    }

    /**
     * The proof that the tree of {@code to} leaves extends the tree of {@code from} leaves
     * (RFC 9162 §2.1.4.1). Empty when {@code from == to}.
     *
     * @throws IllegalArgumentException unless {@code 0 < from <= to} or {@code from == to == 0}:
     *     every tree extends the empty one, there is nothing to prove
     */
    public ConsistencyProof consistency(long from, long to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no consistency proof from size " + from + " to size " + to);
        }
        if (from == to) {
            return new ConsistencyProof(from, to, List.of());
        }
        if (from == 0) {
            throw new IllegalArgumentException("no consistency proof from the empty tree: every tree extends it");
        }
        // The tree of `from` leaves ends with a perfect subtree (level = trailing zeros); the
        // proof is that node followed by its audit path in the tree of `to` leaves. When `from`
        // is a power of two the node is the old root, which the verifier already has.
        int level = Long.numberOfTrailingZeros(from);
        long index = (from - 1) >> level;
        return new ConsistencyProof(from, to, read(ProofPlan.path(index, level, to, index != 0)));
    }

    private List<byte[]> read(ProofPlan plan) {
        if (plan.ids().isEmpty()) {
            return List.of();
        }
        return plan.assemble(reader.readHashes(plan.ids()));
    }
}
