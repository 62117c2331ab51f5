package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads tree nodes for the inclusion proofs of many consecutive entries: on a miss, it reads a
 * block of neighbouring nodes of that level at once and keeps them. Consecutive entries' audit
 * paths share their upper nodes and walk their lower levels in order, so a whole range costs a
 * few reads per block instead of one query per proof. Only nodes complete in the tree of
 * {@code size} entries are asked for (they are stored once the tree reached that size).
 * Not thread-safe: one export.
 */
final class PrefetchingHashReader implements HashReader {
    private static final int BLOCK = 1024;
    private static final int MAX_CACHED = 1 << 20;

    private final HashReader store;
    private final long size;
    private final Map<NodeId, byte[]> cache = new HashMap<>();

    PrefetchingHashReader(HashReader store, long size) {
        this.store = requireNonNull(store, "store is null");
        this.size = size;
    }

    @Override
    public List<byte[]> readHashes(List<NodeId> ids) {
        if (cache.size() > MAX_CACHED) {
            cache.clear(); // proofs come in entry order: what was read for entries long past is rarely needed again
        }
        Set<NodeId> missing = new LinkedHashSet<>();
        for (NodeId id : ids) {
            if (!cache.containsKey(id) && !missing.contains(id)) {
                long complete = size >> id.level(); // complete nodes of this level in the tree of `size`
                long from = id.index() - id.index() % BLOCK;
                for (long index = from; index < Math.min(from + BLOCK, complete); index++) {
                    NodeId neighbour = new NodeId(id.level(), index);
                    if (!cache.containsKey(neighbour) && !missing.contains(neighbour)) {
                        missing.add(neighbour);
                    }
                }
                missing.add(id); // when not complete in `size`: let the store say what it has
            }
        }
        if (!missing.isEmpty()) {
            List<NodeId> asked = List.copyOf(missing);
            List<byte[]> read = store.readHashes(asked);
            for (int i = 0; i < asked.size(); i++) {
                cache.put(asked.get(i), read.get(i));
            }
        }
        List<byte[]> hashes = new ArrayList<>(ids.size());
        for (NodeId id : ids) {
            hashes.add(cache.get(id));
        }
        return hashes;
    }
}
