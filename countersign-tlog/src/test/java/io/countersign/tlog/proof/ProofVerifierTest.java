package io.countersign.tlog.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.testing.NaiveMerkle;
import io.countersign.tlog.tree.InMemoryHashStore;
import io.countersign.tlog.tree.TreeHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ProofVerifierTest {

    /** A tree of random leaves, its store and proofs, and one random leaf or old size in it. */
    private record Tree(List<byte[]> leaves, InMemoryHashStore store, ProofBuilder builder, Random random) {
        static Tree random(int size, long seed) {
            List<byte[]> leaves = NaiveMerkle.randomLeafHashes(size, seed);
            InMemoryHashStore store = new InMemoryHashStore();
            store.append(leaves);
            return new Tree(leaves, store, new ProofBuilder(store), new Random(seed));
        }

        byte[] root(int size) {
            return NaiveMerkle.mth(leaves, size);
        }
    }

    @Property(tries = 300)
    void inclusionProof_fromStoredNodes_verifiesAgainstTheNaiveRoot(
            @ForAll @IntRange(min = 1, max = 2000) int size, @ForAll long seed) {
        Tree tree = Tree.random(size, seed);
        byte[] root = tree.root(size);
        for (int k = 0; k < 10; k++) {
            int index = tree.random.nextInt(size);
            InclusionProof proof = tree.builder.inclusion(index, size);
            assertThatCode(() -> ProofVerifier.verifyInclusion(tree.leaves.get(index), proof, root))
                    .as("leaf %d of %d", index, size)
                    .doesNotThrowAnyException();
        }
    }

    @Property(tries = 300)
    void consistencyProof_fromStoredNodes_verifiesAgainstTheNaiveRoots(
            @ForAll @IntRange(min = 1, max = 2000) int size2, @ForAll long seed) {
        Tree tree = Tree.random(size2, seed);
        for (int k = 0; k < 10; k++) {
            int size1 = 1 + tree.random.nextInt(size2);
            ConsistencyProof proof = tree.builder.consistency(size1, size2);
            assertThatCode(() -> ProofVerifier.verifyConsistency(proof, tree.root(size1), tree.root(size2)))
                    .as("%d to %d", size1, size2)
                    .doesNotThrowAnyException();
        }
    }

    @Property(tries = 300)
    void inclusionProof_withOneBitFlipped_isRejected(
            @ForAll @IntRange(min = 2, max = 2000) int size, @ForAll long seed) {
        Tree tree = Tree.random(size, seed);
        int index = tree.random.nextInt(size);
        List<byte[]> proof = tree.builder.inclusion(index, size).hashes();
        byte[] leaf = tree.leaves.get(index);
        byte[] root = tree.root(size);

        List<byte[]> flippedProof = flipOneBit(proof, tree.random);
        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaf, index, size, flippedProof, root))
                .isInstanceOf(RootMismatchException.class);
        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(flipOneBit(leaf, tree.random), index, size, proof, root))
                .isInstanceOf(RootMismatchException.class);
        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leaf, index, size, proof, flipOneBit(root, tree.random)))
                .isInstanceOf(RootMismatchException.class);
    }

    @Property(tries = 1000)
    void inclusionProof_withOneBitOfTheIndexFlipped_isRejected(
            @ForAll @IntRange(min = 2, max = 2000) int size,
            @ForAll @IntRange(min = 0, max = 62) int bit,
            @ForAll long seed) {
        Tree tree = Tree.random(size, seed);
        int index = tree.random.nextInt(size);
        InclusionProof proof = tree.builder.inclusion(index, size);
        long flipped = index ^ (1L << bit);

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(
                        tree.leaves.get(index), flipped, size, proof.hashes(), tree.root(size)))
                .isInstanceOf(ProofVerificationException.class);
    }

    /**
     * A proof binds the size only through its shape: a changed size is rejected exactly when
     * it changes how RFC 6962 combines the path (then the claim is false), and accepted when
     * the shape is the same (leaf 0 in 3 or 4 leaves), where the signed checkpoint, which
     * carries the size next to the root, is what binds it.
     */
    @Property(tries = 1000)
    void inclusionProof_withOneBitOfTheSizeFlipped_isRejectedUnlessThePathShapeIsTheSame(
            @ForAll @IntRange(min = 1, max = 2000) int size,
            @ForAll @IntRange(min = 0, max = 62) int bit,
            @ForAll long seed) {
        Tree tree = Tree.random(size, seed);
        int index = tree.random.nextInt(size);
        InclusionProof proof = tree.builder.inclusion(index, size);
        long flipped = size ^ (1L << bit);
        boolean sameShape = index < flipped
                && NaiveMerkle.inclusionSides(index, flipped).equals(NaiveMerkle.inclusionSides(index, size));

        if (sameShape) {
            assertThatCode(() -> ProofVerifier.verifyInclusion(
                            tree.leaves.get(index), index, flipped, proof.hashes(), tree.root(size)))
                    .doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> ProofVerifier.verifyInclusion(
                            tree.leaves.get(index), index, flipped, proof.hashes(), tree.root(size)))
                    .isInstanceOf(ProofVerificationException.class);
        }
    }

    @Property(tries = 300)
    void consistencyProof_withOneBitFlipped_isRejected(
            @ForAll @IntRange(min = 2, max = 2000) int size2, @ForAll long seed) {
        Tree tree = Tree.random(size2, seed);
        int size1 = 1 + tree.random.nextInt(size2 - 1);
        List<byte[]> proof = tree.builder.consistency(size1, size2).hashes();
        byte[] root1 = tree.root(size1);
        byte[] root2 = tree.root(size2);

        List<byte[]> flippedProof = flipOneBit(proof, tree.random);
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(size1, size2, root1, root2, flippedProof))
                .isInstanceOf(RootMismatchException.class);
        assertThatThrownBy(() ->
                        ProofVerifier.verifyConsistency(size1, size2, flipOneBit(root1, tree.random), root2, proof))
                .isInstanceOf(RootMismatchException.class);
        assertThatThrownBy(() ->
                        ProofVerifier.verifyConsistency(size1, size2, root1, flipOneBit(root2, tree.random), proof))
                .isInstanceOf(RootMismatchException.class);
    }

    /** As for inclusion: sizes are bound by the proof exactly as far as they change its shape. */
    @Property(tries = 1000)
    void consistencyProof_withOneBitOfASizeFlipped_isRejectedUnlessTheProofShapeIsTheSame(
            @ForAll @IntRange(min = 2, max = 2000) int size2,
            @ForAll boolean flipSize1,
            @ForAll @IntRange(min = 0, max = 62) int bit,
            @ForAll long seed) {
        Tree tree = Tree.random(size2, seed);
        int size1 = 1 + tree.random.nextInt(size2 - 1);
        List<byte[]> proof = tree.builder.consistency(size1, size2).hashes();
        long newSize1 = flipSize1 ? size1 ^ (1L << bit) : size1;
        long newSize2 = flipSize1 ? size2 : size2 ^ (1L << bit);
        boolean sameShape =
                0 < newSize1 && newSize1 < newSize2 && sameConsistencyShape(size1, size2, newSize1, newSize2);

        if (sameShape) {
            assertThatCode(() -> ProofVerifier.verifyConsistency(
                            newSize1, newSize2, tree.root(size1), tree.root(size2), proof))
                    .doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> ProofVerifier.verifyConsistency(
                            newSize1, newSize2, tree.root(size1), tree.root(size2), proof))
                    .isInstanceOf(ProofVerificationException.class);
        }
    }

    /**
     * Whether a verifier for (m2, n2) computes, from the proof for (m, n), the same two roots as
     * a verifier for (m, n): same formulas, where the old root R1 (an input) stands for the
     * true old root, i.e. for the formula of the first root.
     */
    private static boolean sameConsistencyShape(long m, long n, long m2, long n2) {
        String[] truth = NaiveMerkle.consistencyFormulas(m, n);
        String[] other = NaiveMerkle.consistencyFormulas(m2, n2);
        String r1 = truth[0];
        return other[0].replace("R1", r1).equals(truth[0].replace("R1", r1))
                && other[1].replace("R1", r1).equals(truth[1].replace("R1", r1));
    }

    @Test
    void inclusionProof_ofTheWrongLength_isMalformed_andSaysTheLengths() {
        Tree tree = Tree.random(10, 1);
        List<byte[]> proof = new ArrayList<>(tree.builder.inclusion(3, 10).hashes());
        proof.add(new byte[32]);

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(tree.leaves.get(3), 3, 10, proof, tree.root(10)))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("proof has 5 hashes, want 4");
    }

    @Test
    void inclusionProof_withAShortHash_isMalformed() {
        Tree tree = Tree.random(10, 1);
        List<byte[]> proof = new ArrayList<>(tree.builder.inclusion(3, 10).hashes());
        proof.set(2, new byte[31]);

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(tree.leaves.get(3), 3, 10, proof, tree.root(10)))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("proof hash 2 has 31 bytes, want 32");
    }

    @Test
    void inclusionProof_forAnIndexAtTheSize_isMalformed() {
        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(new byte[32], 8, 8, List.of(), new byte[32]))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("index 8 is out of range for tree size 8");
    }

    @Test
    void inclusionProof_intoTheEmptyTree_isMalformed() {
        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(new byte[32], 0, 0, List.of(), TreeHasher.emptyRoot()))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("index 0 is out of range for tree size 0");
    }

    @Test
    void inclusionProof_forAnotherLeaf_isARootMismatch_carryingBothRoots() {
        Tree tree = Tree.random(10, 1);
        InclusionProof proof = tree.builder.inclusion(3, 10);
        byte[] root = tree.root(10);

        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(tree.leaves.get(4), proof, root))
                .isInstanceOfSatisfying(RootMismatchException.class, e -> {
                    assertThat(e.size()).isEqualTo(10);
                    assertThat(e.expected()).isEqualTo(root);
                    assertThat(e.calculated()).isNotEqualTo(root).hasSize(32);
                    assertThat(e.getMessage())
                            .startsWith("root of tree size 10: calculated ")
                            .endsWith(", expected "
                                    + java.util.Base64.getEncoder().encodeToString(root));
                });
    }

    @Test
    void consistencyProof_backwards_isMalformed() {
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(5, 4, new byte[32], new byte[32], List.of()))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("size1 5 is greater than size2 4");
    }

    @Test
    void consistencyProof_fromTheEmptyTree_isMalformed() {
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(0, 4, TreeHasher.emptyRoot(), new byte[32], List.of()))
                .isInstanceOf(MalformedProofException.class)
                .hasMessageContaining("size1 is 0");
    }

    @Test
    void consistencyProof_ofTheWrongLength_isMalformed_andSaysTheLengths() {
        Tree tree = Tree.random(8, 1);
        List<byte[]> proof = tree.builder.consistency(6, 8).hashes();

        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(6, 8, tree.root(6), tree.root(8), proof.subList(0, 2)))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("proof has 2 hashes, want 3");
    }

    @Test
    void consistencyBetweenEqualSizes_needsEqualRootsAndAnEmptyProof() {
        Tree tree = Tree.random(8, 1);
        byte[] root = tree.root(8);
        assertThatCode(() -> ProofVerifier.verifyConsistency(8, 8, root, root, List.of()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(8, 8, root, tree.root(7), List.of()))
                .isInstanceOf(RootMismatchException.class);
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(8, 8, root, root, List.of(root)))
                .isInstanceOf(MalformedProofException.class)
                .hasMessage("proof has 1 hashes, want 0 for equal sizes 8");
    }

    @Test
    void consistencyBetweenEmptyTrees_holdsOnlyForTheEmptyTreeHash() {
        byte[] empty = TreeHasher.emptyRoot();
        assertThatCode(() -> ProofVerifier.verifyConsistency(0, 0, empty, empty, List.of()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(0, 0, new byte[32], new byte[32], List.of()))
                .isInstanceOf(RootMismatchException.class);
    }

    private static List<byte[]> flipOneBit(List<byte[]> proof, Random random) {
        List<byte[]> copy = new ArrayList<>(proof);
        int i = random.nextInt(copy.size());
        copy.set(i, flipOneBit(copy.get(i), random));
        return copy;
    }

    private static byte[] flipOneBit(byte[] hash, Random random) {
        byte[] copy = hash.clone();
        int bit = random.nextInt(8 * copy.length);
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }
}
