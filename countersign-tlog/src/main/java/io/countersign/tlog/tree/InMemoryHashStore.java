package io.countersign.tlog.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tree kept in memory under the storage scheme of {@link HashReader}: every complete node,
 * 32 bytes each, in per-level chunks (about 64 bytes per leaf in all). For tests, and for
 * auditors who load an export to compute tree heads and proofs offline. Thread-safe.
 */
public final class InMemoryHashStore implements HashReader {
    // 2^15 nodes of 32 bytes: 1 MiB chunks, so a big tree needs no huge array and growth copies
    // at most the first chunk of a level.
    private static final int CHUNK_SHIFT = 15;
    private static final int CHUNK_NODES = 1 << CHUNK_SHIFT;
    private static final int CHUNK_BYTES = CHUNK_NODES * TreeHasher.HASH_SIZE;
    private static final int FIRST_CHUNK_BYTES = 64 * TreeHasher.HASH_SIZE;

    private final List<List<byte[]>> levels = new ArrayList<>();
    private final CompactRange border = CompactRange.empty();
    private final NodeSink store = this::store;

    public synchronized long size() {
        return border.size();
    }

    /** The root of the whole tree. */
    public synchronized byte[] root() {
        return border.root();
    }

    /** Appends leaves by their leaf hashes; returns the new root. */
    public synchronized byte[] append(List<byte[]> leafHashes) {
        for (byte[] leafHash : leafHashes) {
            border.append(leafHash, store);
        }
        return border.root();
    }

    /** Appends one leaf by its leaf hash. */
    public synchronized void append(byte[] leafHash) {
        border.append(leafHash, store);
    }

    /** Appends one leaf by its entry bytes. */
    public synchronized void appendEntry(byte[] entry) {
        append(TreeHasher.leafHash(entry));
    }

    @Override
    public synchronized List<byte[]> readHashes(List<NodeId> ids) {
        List<byte[]> hashes = new ArrayList<>(ids.size());
        long size = border.size();
        for (NodeId id : ids) {
            if (!id.isCompleteIn(size)) {
                throw new IllegalArgumentException(id + " is not stored: tree size is " + size);
            }
            byte[] chunk = levels.get(id.level()).get((int) (id.index() >>> CHUNK_SHIFT));
            int offset = (int) (id.index() & (CHUNK_NODES - 1)) * TreeHasher.HASH_SIZE;
            byte[] hash = new byte[TreeHasher.HASH_SIZE];
            System.arraycopy(chunk, offset, hash, 0, TreeHasher.HASH_SIZE);
            hashes.add(hash);
        }
        return hashes;
    }

    // Nodes arrive in index order per level, so each lands at the end of its level.
    private void store(int level, long index, byte[] hash) {
        while (levels.size() <= level) {
            levels.add(new ArrayList<>());
        }
        List<byte[]> chunks = levels.get(level);
        int chunkIndex = (int) (index >>> CHUNK_SHIFT);
        int offset = (int) (index & (CHUNK_NODES - 1)) * TreeHasher.HASH_SIZE;
        if (chunkIndex == chunks.size()) {
            // Small trees (tests build thousands) should not pay a full chunk per level.
            chunks.add(new byte[chunkIndex == 0 ? FIRST_CHUNK_BYTES : CHUNK_BYTES]);
        }
        byte[] chunk = chunks.get(chunkIndex);
        if (offset >= chunk.length) {
            chunk = Arrays.copyOf(chunk, Math.min(2 * chunk.length, CHUNK_BYTES));
            chunks.set(chunkIndex, chunk);
        }
        System.arraycopy(hash, 0, chunk, offset, TreeHasher.HASH_SIZE);
    }
}
