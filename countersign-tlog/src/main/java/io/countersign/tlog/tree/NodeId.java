package io.countersign.tlog.tree;

/**
 * Names a perfect subtree: the node at {@code level} (0 = leaf hashes) and {@code index} (from
 * the left, at that level) covers leaves {@code [index * 2^level, (index + 1) * 2^level)}.
 *
 * <p>In a tree of size {@code n}, the node exists (is stored) exactly when it is complete:
 * {@code (index + 1) * 2^level <= n}. Its hash is then the RFC 6962 root of the leaves it
 * covers, and it never changes as the log grows.
 */
public record NodeId(int level, long index) {
    /** Highest level whose leaf range still fits a long. */
    public static final int MAX_LEVEL = 62;

    public NodeId {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("level " + level + " is outside [0, " + MAX_LEVEL + "]");
        }
        if (index < 0 || index > (Long.MAX_VALUE >> level) - 1) {
            throw new IllegalArgumentException("index " + index + " at level " + level + " is out of range");
        }
    }

    public static NodeId leaf(long index) {
        return new NodeId(0, index);
    }

    /** First leaf covered. */
    public long begin() {
        return index << level;
    }

    /** One past the last leaf covered. */
    public long end() {
        return (index + 1) << level;
    }

    /** Whether this node is complete, hence stored, in a tree of {@code size} leaves. */
    public boolean isCompleteIn(long size) {
        return end() <= size;
    }

    public NodeId parent() {
        return new NodeId(level + 1, index >> 1);
    }

    /** The other child of this node's parent. */
    public NodeId sibling() {
        return new NodeId(level, index ^ 1);
    }

    @Override
    public String toString() {
        return "node(level " + level + ", index " + index + ")";
    }
}
