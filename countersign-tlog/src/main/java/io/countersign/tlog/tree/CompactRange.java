package io.countersign.tlog.tree;

import io.countersign.tlog.internal.NodeRanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The right border of a growing tree: for a tree of {@code size} leaves, the hash of one
 * perfect subtree per set bit of {@code size}, which is all that appending and computing the
 * root need. O(log n) memory; an append costs amortized two hashes and allocates nothing.
 *
 * <p>Used to recompute the root of an export entry by entry, and by {@link TreeWriter} to find
 * the nodes each append completes. Not thread-safe.
 */
public final class CompactRange {
    private final TreeHasher hasher = TreeHasher.create();
    /** {@code byLevel[l]} is the border node at level l while bit l of size is set; else stale. */
    private final byte[][] byLevel = new byte[NodeId.MAX_LEVEL + 1][];

    private final byte[] scratch = new byte[TreeHasher.HASH_SIZE];
    private long size;

    private CompactRange() {}

    public static CompactRange empty() {
        return new CompactRange();
    }

    /**
     * The border of a tree of {@code size} leaves, from the hashes of {@link #ids(long)},
     * largest subtree first.
     */
    public static CompactRange of(long size, List<byte[]> hashes) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        if (hashes.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException(
                    "size " + size + " needs " + Long.bitCount(size) + " border hashes, got " + hashes.size());
        }
        CompactRange range = new CompactRange();
        int i = 0;
        for (int level = NodeId.MAX_LEVEL; level >= 0; level--) {
            if ((size >>> level & 1) == 1) {
                range.byLevel[level] =
                        checkedHash(hashes.get(i++), "border hash " + (i - 1)).clone();
            }
        }
        range.size = size;
        return range;
    }

    /** Reads the border of a stored tree of {@code size} leaves, in one batched read. */
    public static CompactRange load(HashReader reader, long size) {
        List<NodeId> ids = ids(size);
        return of(size, ids.isEmpty() ? List.of() : reader.readHashes(ids));
    }

    /** The nodes forming the border of a tree of {@code size} leaves, largest first. */
    public static List<NodeId> ids(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        return NodeRanges.prefix(size);
    }

    /**
     * An independent copy. A sequencer can append a batch to a copy and adopt it only once
     * the batch's nodes are committed, so a failed write leaves its border unchanged.
     */
    public CompactRange copy() {
        CompactRange copy = new CompactRange();
        for (int level = 0; level < byLevel.length; level++) {
            if ((size >>> level & 1) == 1) {
                copy.byLevel[level] = byLevel[level].clone();
            }
        }
        copy.size = size;
        return copy;
    }

    public long size() {
        return size;
    }

    /** Appends a leaf by its leaf hash. */
    public void append(byte[] leafHash) {
        append(leafHash, null);
    }

    /** Appends a leaf by its leaf hash, telling {@code sink} (if not null) every node completed. */
    public void append(byte[] leafHash, @Nullable NodeSink sink) {
        checkedHash(leafHash, "leaf hash");
        System.arraycopy(leafHash, 0, scratch, 0, TreeHasher.HASH_SIZE);
        appendScratch(sink);
    }

    /** Appends a leaf by its entry bytes, hashing them as RFC 6962 leaf data. */
    public void appendEntry(byte[] entry) {
        Objects.requireNonNull(entry, "entry is null");
        hasher.hashLeaf(entry, scratch);
        appendScratch(null);
    }

    private void appendScratch(@Nullable NodeSink sink) {
        if (size >= Long.MAX_VALUE - 1) {
            throw new IllegalStateException("tree is full at size " + size);
        }
        long index = size;
        int level = 0;
        if (sink != null) {
            sink.node(level, index, scratch);
        }
        // While the new node is a right child (odd index), its left sibling is the border node
        // at this level (bit `level` of size is set exactly then): merge them into the parent.
        while ((index & 1) == 1) {
            hasher.hashChildren(byLevel[level], scratch, scratch);
            level++;
            index >>= 1;
            if (sink != null) {
                sink.node(level, index, scratch);
            }
        }
        if (byLevel[level] == null) {
            byLevel[level] = new byte[TreeHasher.HASH_SIZE];
        }
        System.arraycopy(scratch, 0, byLevel[level], 0, TreeHasher.HASH_SIZE);
        size++;
    }

    /** The RFC 6962 root of the tree so far; the empty-tree hash for size 0. */
    public byte[] root() {
        if (size == 0) {
            return TreeHasher.emptyRoot();
        }
        // Fold from the smallest border node up: each larger node is the left child.
        int level = Long.numberOfTrailingZeros(size);
        byte[] acc = byLevel[level].clone();
        for (level++; level <= NodeId.MAX_LEVEL; level++) {
            if ((size >>> level & 1) == 1) {
                hasher.hashChildren(byLevel[level], acc, acc);
            }
        }
        return acc;
    }

    /** Copies of the border hashes, largest subtree first, matching {@link #ids(long)}. */
    public List<byte[]> hashes() {
        List<byte[]> hashes = new ArrayList<>(Long.bitCount(size));
        for (int level = NodeId.MAX_LEVEL; level >= 0; level--) {
            if ((size >>> level & 1) == 1) {
                hashes.add(byLevel[level].clone());
            }
        }
        return hashes;
    }

    static byte[] checkedHash(byte[] hash, String what) {
        Objects.requireNonNull(hash, what + " is null");
        if (hash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalArgumentException(what + " has " + hash.length + " bytes, want " + TreeHasher.HASH_SIZE);
        }
        return hash;
    }
}
