package io.countersign.tlog.tree;

import java.util.List;

/**
 * Read access to stored node hashes: what a log's storage implements so that tree heads and
 * proofs can be computed with O(log n) reads, never rebuilding the tree.
 *
 * <p>The storage holds, for a tree of size {@code n}, every complete perfect subtree: the node
 * {@link NodeId (level, index)} exactly when {@code (index + 1) * 2^level <= n}, level 0 being
 * the leaf hashes. That is {@code 2n - bitCount(n)} hashes; {@link TreeWriter} says which ones
 * each append adds. Nodes never change once written.
 *
 * <p>Callers only ask for nodes complete in the tree size they work on, and make one call per
 * tree head or proof, so an implementation backed by SQL can answer with one query.
 */
@FunctionalInterface
public interface HashReader {
    /**
     * Returns the 32-byte hashes of {@code ids}, in the same order. Duplicates are allowed.
     *
     * @throws RuntimeException (of the implementation's choice) when a node is not stored or
     *     storage fails; never returns null or a shorter list
     */
    List<byte[]> readHashes(List<NodeId> ids);
}
