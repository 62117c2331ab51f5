package io.countersign.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * A signed tree head as stored: the tree size and root it covers, the C2SP signed checkpoint
 * note exactly as the log serves it, and when it was signed. The store checks that the root is
 * its tree's root at {@code size} before it keeps one; it does not check the signature, which is
 * the verifier's job.
 */
public record StoredCheckpoint(long size, byte[] root, String note, Instant createdAt) {
    public StoredCheckpoint {
        requireNonNull(root, "root is null");
        requireNonNull(note, "note is null");
        requireNonNull(createdAt, "createdAt is null");
        if (size < 0) {
            throw new IllegalArgumentException("size is " + size + ", want >= 0");
        }
        if (root.length != 32) {
            throw new IllegalArgumentException("root has " + root.length + " bytes, want 32");
        }
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredCheckpoint other
                && size == other.size
                && Arrays.equals(root, other.root)
                && note.equals(other.note)
                && createdAt.equals(other.createdAt);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "StoredCheckpoint[size " + size + ", root " + Base64.getEncoder().encodeToString(root) + ", at "
                + createdAt + "]";
    }
}
