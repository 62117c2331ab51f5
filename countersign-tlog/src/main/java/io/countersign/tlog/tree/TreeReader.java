package io.countersign.tlog.tree;

import io.countersign.tlog.internal.NodeRanges;
import io.countersign.tlog.internal.ProofPlan;
import java.util.List;
import java.util.Objects;

/**
 * Tree heads of any prefix of a stored tree, with one batched read of at most 63 nodes.
 * Thread-safe when the {@link HashReader} is.
 */
public final class TreeReader {
    private final HashReader reader;

    public TreeReader(HashReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader is null");
    }

    /**
     * The RFC 6962 root of the first {@code size} leaves. {@code size} must not exceed the
     * stored tree's size; the root of size 0 is the empty-tree hash.
     */
    public byte[] rootAt(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        if (size == 0) {
            return TreeHasher.emptyRoot();
        }
        List<NodeId> ids = NodeRanges.prefix(size);
        List<byte[]> hashes = reader.readHashes(ids);
        if (hashes.size() != ids.size()) {
            throw new IllegalStateException(
                    "hash reader returned " + hashes.size() + " hashes for " + ids.size() + " nodes");
        }
        return ProofPlan.foldRight(hashes, 0, hashes.size(), TreeHasher.create());
    }
}
