package io.countersign.tlog.proof;

import java.util.List;

/**
 * An RFC 9162 inclusion proof (audit path) of the leaf at {@code index} in the tree of
 * {@code size} leaves: the hashes from the leaf's sibling up to the root's child.
 */
public record InclusionProof(long index, long size, List<byte[]> hashes) {
    public InclusionProof {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " is out of range for tree size " + size);
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
        return o instanceof InclusionProof other
                && index == other.index
                && size == other.size
                && ProofHashes.equal(hashes, other.hashes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(index) + Long.hashCode(size)) + ProofHashes.hash(hashes);
    }

    @Override
    public String toString() {
        return "InclusionProof[index=" + index + ", size=" + size + ", hashes=" + ProofHashes.toString(hashes) + "]";
    }
}
