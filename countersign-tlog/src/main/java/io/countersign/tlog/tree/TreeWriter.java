package io.countersign.tlog.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes what a batch of appends adds to storage, without rebuilding the tree: given the
 * border of the current tree ({@link CompactRange}, O(log n) hashes) and k new leaf hashes, it
 * returns the k leaf nodes plus every parent they complete (at most k + log n more) and the new
 * root. O(k + log n) hashing.
 *
 * <p>A sequencer that keeps its {@link CompactRange} in memory between batches needs no reads
 * at all; after a restart, {@link CompactRange#load} reads the border once. Appending advances
 * the border, so append to a {@link CompactRange#copy()} and keep it only once the nodes are
 * stored, or reload the border when a write fails.
 */
public final class TreeWriter {
    private TreeWriter() {}

    /**
     * Appends {@code leafHashes} to the tree whose border is {@code border}, advancing it.
     *
     * @return the nodes to store and the new root
     */
    public static TreeAppend append(CompactRange border, List<byte[]> leafHashes) {
        long fromSize = border.size();
        List<Node> nodes = new ArrayList<>(2 * leafHashes.size() + 1);
        // Node copies the reused buffer, so collecting is safe.
        NodeSink collect = (level, index, hash) -> nodes.add(new Node(new NodeId(level, index), hash));
        for (byte[] leafHash : leafHashes) {
            border.append(leafHash, collect);
        }
        return new TreeAppend(fromSize, border.size(), nodes, border.root());
    }

    /**
     * Appends {@code leafHashes} to the stored tree of {@code size} leaves, reading its border
     * in one batched call.
     */
    public static TreeAppend append(HashReader reader, long size, List<byte[]> leafHashes) {
        return append(CompactRange.load(reader, size), leafHashes);
    }
}
