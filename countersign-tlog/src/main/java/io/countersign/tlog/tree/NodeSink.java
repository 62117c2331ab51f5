package io.countersign.tlog.tree;

/** Receives each node an append completes: the leaf itself, then each new parent. */
@FunctionalInterface
public interface NodeSink {
    /**
     * @param hash the node's 32-byte hash, in a buffer the caller reuses: copy it to keep it
     */
    void node(int level, long index, byte[] hash);
}
