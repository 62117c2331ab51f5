package io.countersign.tlog.proof;

import io.countersign.tlog.internal.Bits;
import io.countersign.tlog.tree.TreeHasher;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Verifies inclusion and consistency proofs as RFC 9162 §2.1.3.2 and §2.1.4.2 specify, after
 * checking the proof's length against the sizes so that a malformed proof is told apart from
 * one that leads to the wrong root. Stateless and thread-safe.
 *
 * <p>A proof binds a root to a leaf (or to an older root) but not, by itself, to the size:
 * for some other sizes the same hashes combine the same way (leaf 0 of a tree of 3 and of 4
 * leaves, for example). The size is bound by the signed checkpoint that carries the root.
 */
public final class ProofVerifier {
    private ProofVerifier() {}

    /** {@link #verifyInclusion(byte[], long, long, List, byte[])} for a proof record. */
    public static void verifyInclusion(byte[] leafHash, InclusionProof proof, byte[] root)
            throws ProofVerificationException {
        verifyInclusion(leafHash, proof.index(), proof.size(), proof.hashes(), root);
    }

    /**
     * Checks that the leaf with hash {@code leafHash} is at {@code index} in the tree of
     * {@code size} leaves whose root is {@code root}.
     *
     * @throws MalformedProofException if {@code index} is not below {@code size}, or the proof
     *     or leaf hash has the wrong shape
     * @throws RootMismatchException if the proof leads to another root
     */
    public static void verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root)
            throws ProofVerificationException {
        Objects.requireNonNull(leafHash, "leafHash is null");
        Objects.requireNonNull(proof, "proof is null");
        Objects.requireNonNull(root, "root is null");
        if (index < 0 || index >= size) {
            throw new MalformedProofException("index " + index + " is out of range for tree size " + size);
        }
        if (leafHash.length != TreeHasher.HASH_SIZE) {
            throw new MalformedProofException(
                    "leaf hash has " + leafHash.length + " bytes, want " + TreeHasher.HASH_SIZE);
        }
        checkShape(proof, inclusionLength(index, size));

        TreeHasher hasher = TreeHasher.create();
        byte[] r = leafHash.clone();
        long fn = index;
        long sn = size - 1;
        for (byte[] p : proof) {
            if (sn == 0) {
                throw new MalformedProofException("proof is longer than the path to the root");
            }
            if ((fn & 1) == 1 || fn == sn) {
                hasher.hashChildren(p, r, r);
                // On the right edge with no right sibling: skip the levels where this subtree
                // is promoted unchanged (RFC 9162: shift until LSB(fn) is set or fn is 0).
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                hasher.hashChildren(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new MalformedProofException("proof is shorter than the path to the root");
        }
        if (!MessageDigest.isEqual(r, root)) {
            throw new RootMismatchException(size, root, r);
        }
    }

    /** {@link #verifyConsistency(long, long, byte[], byte[], List)} for a proof record. */
    public static void verifyConsistency(ConsistencyProof proof, byte[] root1, byte[] root2)
            throws ProofVerificationException {
        verifyConsistency(proof.from(), proof.to(), root1, root2, proof.hashes());
    }

    /**
     * Checks that the tree of {@code size2} leaves with root {@code root2} extends the tree of
     * {@code size1} leaves with root {@code root1}. Equal sizes need an empty proof and equal
     * roots (for size 0, both must be the empty-tree hash). Size 0 against a larger size is
     * rejected: every tree extends the empty one, so such a "proof" would show nothing.
     *
     * @throws MalformedProofException if the sizes or the proof's shape are wrong
     * @throws RootMismatchException if the proof leads to other roots
     */
    public static void verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof)
            throws ProofVerificationException {
        Objects.requireNonNull(root1, "root1 is null");
        Objects.requireNonNull(root2, "root2 is null");
        Objects.requireNonNull(proof, "proof is null");
        if (size1 < 0 || size2 < size1) {
            throw new MalformedProofException("size1 " + size1 + " is greater than size2 " + size2);
        }
        if (size1 == size2) {
            verifyEqualSizes(size1, root1, root2, proof);
            return;
        }
        if (size1 == 0) {
            throw new MalformedProofException(
                    "size1 is 0: every tree extends the empty tree, there is nothing to prove");
        }
        // A root of another length is no tree's root; it would also be hashed below.
        checkRootLength("root1", root1);
        checkRootLength("root2", root2);
        boolean size1IsPowerOfTwo = Long.bitCount(size1) == 1;
        checkShape(proof, consistencyLength(size1, size2));

        // RFC 9162 §2.1.4.2. When size1 is a power of two, the old tree is one perfect subtree
        // of the new one, and its root is the proof's missing first element.
        List<byte[]> path = proof;
        if (size1IsPowerOfTwo) {
            path = new ArrayList<>(proof.size() + 1);
            path.add(root1);
            path.addAll(proof);
        }
        TreeHasher hasher = TreeHasher.create();
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0).clone();
        byte[] sr = path.get(0).clone();
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                throw new MalformedProofException("proof is longer than the path to the root");
            }
            if ((fn & 1) == 1 || fn == sn) {
                hasher.hashChildren(c, fr, fr);
                hasher.hashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                hasher.hashChildren(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new MalformedProofException("proof is shorter than the path to the root");
        }
        if (!MessageDigest.isEqual(fr, root1)) {
            throw new RootMismatchException(size1, root1, fr);
        }
        if (!MessageDigest.isEqual(sr, root2)) {
            throw new RootMismatchException(size2, root2, sr);
        }
    }

    private static void verifyEqualSizes(long size, byte[] root1, byte[] root2, List<byte[]> proof)
            throws ProofVerificationException {
        if (!proof.isEmpty()) {
            throw new MalformedProofException("proof has " + proof.size() + " hashes, want 0 for equal sizes " + size);
        }
        if (size == 0) {
            // The empty tree has exactly one root, so anything else claimed for it is false.
            byte[] empty = TreeHasher.emptyRoot();
            if (!MessageDigest.isEqual(root1, empty)) {
                throw new RootMismatchException(0, root1, empty);
            }
            if (!MessageDigest.isEqual(root2, empty)) {
                throw new RootMismatchException(0, root2, empty);
            }
            return;
        }
        if (!MessageDigest.isEqual(root1, root2)) {
            throw new RootMismatchException(size, root2, root1);
        }
    }

    /**
     * Hashes in the inclusion proof of leaf {@code index} in a tree of {@code size} leaves:
     * one per level below the point where the paths to {@code index} and to the last leaf part
     * ("inner"), plus one per left sibling above it, i.e. per set bit of {@code index} there.
     */
    static int inclusionLength(long index, long size) {
        int inner = Bits.bitLength(index ^ (size - 1));
        return inner + Long.bitCount(index >>> inner);
    }

    /**
     * Hashes in the consistency proof from {@code size1} to {@code size2}: the inclusion proof
     * of the last perfect subtree of the old tree (viewed at its level, where the new tree's
     * last node is {@code (size2 - 1) >> level}), preceded by that subtree's hash unless it is
     * the whole old tree.
     */
    static int consistencyLength(long size1, long size2) {
        int level = Long.numberOfTrailingZeros(size1);
        long index = (size1 - 1) >> level;
        int inner = Bits.bitLength(index ^ ((size2 - 1) >> level));
        return (index == 0 ? 0 : 1) + inner + Long.bitCount(index >>> inner);
    }

    private static void checkRootLength(String name, byte[] root) throws MalformedProofException {
        if (root.length != TreeHasher.HASH_SIZE) {
            throw new MalformedProofException(name + " has " + root.length + " bytes, want " + TreeHasher.HASH_SIZE);
        }
    }

    private static void checkShape(List<byte[]> proof, int want) throws MalformedProofException {
        if (proof.size() != want) {
            throw new MalformedProofException("proof has " + proof.size() + " hashes, want " + want);
        }
        for (int i = 0; i < proof.size(); i++) {
            byte[] hash = proof.get(i);
            if (hash == null || hash.length != TreeHasher.HASH_SIZE) {
                throw new MalformedProofException("proof hash " + i + " has " + (hash == null ? "no" : hash.length)
                        + " bytes, want " + TreeHasher.HASH_SIZE);
            }
        }
    }
}
