package io.countersign.tlog.tiles;

import static java.util.Objects.requireNonNull;

import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.NodeId;
import io.countersign.tlog.tree.TreeHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hash tiles from stored nodes, with one batched read per tile. Thread-safe when the {@link
 * HashReader} is.
 */
public final class TileReader {
    private final HashReader reader;

    public TileReader(HashReader reader) {
        this.reader = requireNonNull(reader, "reader is null");
    }

    /**
     * The tile's bytes ({@code 32 * width}), or empty when a tree of {@code treeSize} leaves does
     * not have it yet (or, for a level above 7, ever). {@code treeSize} must not exceed the stored
     * tree's size.
     */
    public Optional<byte[]> read(TileId tile, long treeSize) {
        if (!tile.isCompleteIn(treeSize)) {
            return Optional.empty();
        }
        int level = 8 * tile.level();
        long first = tile.index() * TileId.WIDTH;
        List<NodeId> ids = new ArrayList<>(tile.width());
        for (int i = 0; i < tile.width(); i++) {
            ids.add(new NodeId(level, first + i));
        }
        List<byte[]> hashes = reader.readHashes(ids);
        if (hashes.size() != ids.size()) {
            throw new IllegalStateException(
                    "hash reader returned " + hashes.size() + " hashes for " + ids.size() + " nodes");
        }
        byte[] out = new byte[TreeHasher.HASH_SIZE * tile.width()];
        for (int i = 0; i < hashes.size(); i++) {
            byte[] hash = hashes.get(i);
            if (hash.length != TreeHasher.HASH_SIZE) {
                throw new IllegalStateException(ids.get(i) + " is " + hash.length + " bytes, want 32");
            }
            System.arraycopy(hash, 0, out, i * TreeHasher.HASH_SIZE, TreeHasher.HASH_SIZE);
        }
        return Optional.of(out);
    }
}
