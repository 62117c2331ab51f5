package io.countersign.tlog.proof;

import java.util.List;

/**
 * An RFC 9162 consistency proof that the tree of {@code to} leaves extends the tree of
 * {@code from} leaves. Empty when the sizes are equal.
 */
public record ConsistencyProof(long from, long to, List<byte[]> hashes) {
    public ConsistencyProof {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("consistency from size " + from + " to size " + to);
        }
        hashes = ProofHashes.copy(hashes);
    }

    /** Copies of the hashes. */
    @Override
    public List<byte[]> hashes() {
        return ProofHashes.copy(hashes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsistencyProof other
                && from == other.from
                && to == other.to
                && ProofHashes.equal(hashes, other.hashes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(from) + Long.hashCode(to)) + ProofHashes.hash(hashes);
    }

    @Override
    public String toString() {
        return "ConsistencyProof[from=" + from + ", to=" + to + ", hashes=" + ProofHashes.toString(hashes) + "]";
    }
}
