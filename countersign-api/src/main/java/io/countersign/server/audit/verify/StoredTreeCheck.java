package io.countersign.server.audit.verify;

import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.NodeId;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Compares the Merkle tree nodes a source stores with the tree computed from its entries: every
 * complete node, level by level from the leaves up, read in batches. A changed node does not
 * change the entries or the signed root, only the proofs built from it, so without this check
 * a log whose proofs fail would still verify.
 */
final class StoredTreeCheck {
    private static final int BATCH = 2_048;

    private StoredTreeCheck() {}

    /** The first stored node that differs from {@code computed} over the first {@code size} entries, described; empty when all match. */
    static Optional<String> firstBadNode(AuditSource source, HashReader computed, long size, List<String> notes) {
        Optional<HashReader> stored = source.storedTree();
        if (stored.isEmpty() || size == 0) {
            return Optional.empty();
        }
        long checked = 0;
        for (int level = 0; level <= NodeId.MAX_LEVEL && (1L << level) <= size; level++) {
            long count = size >> level; // complete nodes at this level
            for (long from = 0; from < count; from += BATCH) {
                List<NodeId> ids = new ArrayList<>();
                for (long index = from; index < Math.min(count, from + BATCH); index++) {
                    ids.add(new NodeId(level, index));
                }
                List<byte[]> theirs;
                try {
                    theirs = stored.get().readHashes(ids);
                } catch (RuntimeException e) {
                    return Optional.of("the " + source.describe() + "'s Merkle tree node " + ids.getFirst()
                            + " or one after it is" + " unreadable or missing: " + e.getMessage());
                }
                List<byte[]> ours = computed.readHashes(ids);
                for (int i = 0; i < ids.size(); i++) {
                    if (!MessageDigest.isEqual(ours.get(i), theirs.get(i))) {
                        NodeId id = ids.get(i);
                        return Optional.of("the " + source.describe() + "'s Merkle tree node " + id + " (over entries "
                                + id.begin() + " to "
                                + (id.end() - 1) + ") is " + Base64.getEncoder().encodeToString(theirs.get(i))
                                + ", the entries give "
                                + Base64.getEncoder().encodeToString(ours.get(i))
                                + ": the stored tree was changed, and the proofs served"
                                + " from it are wrong");
                    }
                }
                checked += ids.size();
            }
        }
        notes.add(checked + " stored Merkle tree nodes match the entries");
        return Optional.empty();
    }
}
