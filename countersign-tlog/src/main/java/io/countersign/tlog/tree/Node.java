package io.countersign.tlog.tree;

import io.countersign.tlog.internal.Encoding;
import java.util.Arrays;
import java.util.Objects;

/** A node hash to store under its id. */
public record Node(NodeId id, byte[] hash) {
    public Node {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(hash, "hash is null");
        if (hash.length != TreeHasher.HASH_SIZE) {
            throw new IllegalArgumentException(
                    id + " hash has " + hash.length + " bytes, want " + TreeHasher.HASH_SIZE);
        }
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Node other && id.equals(other.id) && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return id + " " + Encoding.hex(hash);
    }
}
