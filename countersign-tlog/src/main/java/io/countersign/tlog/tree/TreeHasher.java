package io.countersign.tlog.tree;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 / RFC 9162 hashing: leaf hash {@code SHA-256(0x00 || leaf)}, node hash
 * {@code SHA-256(0x01 || left || right)}, and the root of the empty tree {@code SHA-256("")}.
 * The distinct prefixes keep a leaf from being passed off as an interior node (second-preimage
 * attacks on the tree).
 *
 * <p>An instance owns one {@link MessageDigest} and reuses it, so hot loops allocate nothing;
 * it is therefore <b>not thread-safe</b>: use one per thread. The static methods create a
 * fresh digest per call and are safe anywhere.
 */
public final class TreeHasher {
    /** Bytes in every hash of the tree. */
    public static final int HASH_SIZE = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final byte[] EMPTY_ROOT = create().sha256.digest();

    private final MessageDigest sha256;

    private TreeHasher(MessageDigest sha256) {
        this.sha256 = sha256;
    }

    /** A new hasher; not thread-safe. */
    public static TreeHasher create() {
        try {
            return new TreeHasher(MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK must provide SHA-256", e);
        }
    }

    /** The root hash of the tree with no leaves: SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    /** {@code SHA-256(0x00 || leaf)}, with a fresh digest. */
    public static byte[] leafHash(byte[] leaf) {
        return create().hashLeaf(leaf);
    }

    /** {@code SHA-256(0x01 || left || right)}, with a fresh digest. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        return create().hashChildren(left, right);
    }

    public byte[] hashLeaf(byte[] leaf) {
        byte[] out = new byte[HASH_SIZE];
        hashLeaf(leaf, out);
        return out;
    }

    /** Writes the leaf hash into {@code out} (32 bytes). */
    public void hashLeaf(byte[] leaf, byte[] out) {
        checkOutput(out);
        sha256.update(LEAF_PREFIX);
        sha256.update(leaf);
        digestInto(out);
    }

    public byte[] hashChildren(byte[] left, byte[] right) {
        byte[] out = new byte[HASH_SIZE];
        hashChildren(left, right, out);
        return out;
    }

    /**
     * Writes the node hash into {@code out} (32 bytes). {@code out} may be the same array as
     * {@code left} or {@code right}: the digest has consumed both before it writes.
     */
    public void hashChildren(byte[] left, byte[] right, byte[] out) {
        checkOutput(out);
        sha256.update(NODE_PREFIX);
        sha256.update(left);
        sha256.update(right);
        digestInto(out);
    }

    // Checked before hashing starts, so a refused call leaves the digest clean for the next one.
    private static void checkOutput(byte[] out) {
        if (out.length < HASH_SIZE) {
            throw new IllegalArgumentException("output buffer has " + out.length + " bytes, want " + HASH_SIZE);
        }
    }

    private void digestInto(byte[] out) {
        try {
            sha256.digest(out, 0, HASH_SIZE);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest failed", e);
        }
    }
}
