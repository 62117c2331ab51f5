package io.countersign.tlog.internal;

import io.countersign.tlog.tree.NodeId;
import io.countersign.tlog.tree.TreeHasher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which stored nodes make up a proof, and how to turn their hashes into the proof's hashes.
 *
 * <p>A proof element is either a stored perfect subtree, or (at most one per proof) the hash
 * of an incomplete subtree at the right edge of the tree, which RFC 6962 defines as the root
 * of its leaves and which we compute from the stored nodes of its compact range. Those nodes
 * sit at {@code ids[foldFrom, foldTo)}; all ids go to storage in one batched read.
 */
public record ProofPlan(List<NodeId> ids, int foldFrom, int foldTo) {

    /** A plan with no elements: the proof is empty. */
    public static final ProofPlan EMPTY = new ProofPlan(List.of(), 0, 0);

    /**
     * The audit path of the complete node {@code (level, index)} in a tree of {@code size}
     * leaves, ordered from the node's sibling up to the root's child (RFC 9162 §2.1.3.1, with
     * a subtree in place of a leaf). With {@code includeNode}, the node itself comes first, as
     * a consistency proof needs it.
     *
     * <p>Going up from the node, siblings are complete perfect subtrees until the "fork": the
     * highest ancestor that does not contain leaf {@code size} (one past the last leaf). The
     * fork is a left child; its sibling holds the right edge of the tree, and is incomplete
     * unless it is empty. Above the fork every ancestor contains the right edge, so the path
     * only takes left siblings, which together are the compact range {@code [0, fork.begin)}.
     */
    public static ProofPlan path(long index, int level, long size, boolean includeNode) {
        // Levels above `level` at which the node's ancestor and the ancestor of leaf `size`
        // still differ; bitLength - 1 is the highest such level, the fork's.
        int inner = Bits.bitLength(index ^ (size >> level)) - 1;
        NodeId fork = new NodeId(level + inner, index >> inner);

        List<NodeId> ids = new ArrayList<>(1 + inner + 2 * 64);
        if (includeNode) {
            ids.add(new NodeId(level, index));
        }
        for (int h = 0; h < inner; h++) {
            ids.add(new NodeId(level + h, (index >> h) ^ 1));
        }
        int foldFrom = ids.size();
        NodeRanges.decompose(fork.end(), size, ids);
        int foldTo = ids.size();
        int leftFrom = ids.size();
        NodeRanges.decompose(0, fork.begin(), ids);
        // The path climbs, so the nearest (smallest, rightmost) left sibling comes first.
        Collections.reverse(ids.subList(leftFrom, ids.size()));
        return new ProofPlan(List.copyOf(ids), foldFrom, foldTo);
    }

    /** Turns the hashes of {@link #ids()}, read in that order, into the proof's hashes. */
    public List<byte[]> assemble(List<byte[]> hashes) {
        if (hashes.size() != ids.size()) {
            throw new IllegalStateException(
                    "hash reader returned " + hashes.size() + " hashes for " + ids.size() + " nodes");
        }
        List<byte[]> proof = new ArrayList<>(ids.size());
        for (int i = 0; i < foldFrom; i++) {
            proof.add(checked(hashes, i).clone());
        }
        if (foldTo > foldFrom) {
            // A lone node is complete already; only two or more need hashing.
            proof.add(
                    foldTo - foldFrom == 1
                            ? checked(hashes, foldFrom).clone()
                            : foldRight(hashes, foldFrom, foldTo, TreeHasher.create()));
        }
        for (int i = foldTo; i < ids.size(); i++) {
            proof.add(checked(hashes, i).clone());
        }
        return proof;
    }

    /**
     * The RFC 6962 root of a compact range given left to right: nodes of a compact range get
     * smaller to the right, and RFC 6962 splits at the largest power of two, so the root is
     * {@code H(n0, H(n1, ... H(n_{k-2}, n_{k-1})))}.
     */
    public static byte[] foldRight(List<byte[]> hashes, int from, int to, TreeHasher hasher) {
        byte[] acc = checked(hashes, to - 1).clone();
        for (int i = to - 2; i >= from; i--) {
            hasher.hashChildren(checked(hashes, i), acc, acc);
        }
        return acc;
    }

    private static byte[] checked(List<byte[]> hashes, int i) {
        byte[] hash = hashes.get(i);
        if (hash == null || hash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalStateException("hash reader returned " + (hash == null ? "null" : hash.length + " bytes")
                    + " at position " + i + ", want " + TreeHasher.HASH_SIZE + " bytes");
        }
        return hash;
    }
}
