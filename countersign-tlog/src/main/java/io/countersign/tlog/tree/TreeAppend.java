package io.countersign.tlog.tree;

import io.countersign.tlog.internal.Encoding;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What an append of leaves {@code [fromSize, toSize)} produced: the node hashes to store (the
 * new leaves and every parent they completed, in the order they were completed) and the root
 * of the tree of {@code toSize} leaves.
 */
public record TreeAppend(long fromSize, long toSize, List<Node> nodes, byte[] root) {
    public TreeAppend {
        if (fromSize < 0 || toSize < fromSize) {
            throw new IllegalArgumentException("append from size " + fromSize + " to " + toSize);
        }
        nodes = List.copyOf(nodes);
        root = Objects.requireNonNull(root, "root is null").clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeAppend other
                && fromSize == other.fromSize
                && toSize == other.toSize
                && nodes.equals(other.nodes)
                && Arrays.equals(root, other.root);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fromSize, toSize, nodes, Arrays.hashCode(root));
    }

    @Override
    public String toString() {
        return "TreeAppend[" + fromSize + ".." + toSize + ", " + nodes.size() + " nodes, root " + Encoding.hex(root)
                + "]";
    }
}
