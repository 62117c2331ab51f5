package io.countersign.tlog.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.testing.NaiveMerkle;
import io.countersign.tlog.tree.InMemoryHashStore;
import io.countersign.tlog.tree.NodeId;
import io.countersign.tlog.tree.TreeHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ProofBuilderTest {

    @Property(tries = 100)
    void inclusionProofs_equalRfc6962Path_forEveryLeafOfAPrefix(
            @ForAll @IntRange(min = 1, max = 2000) int stored,
            @ForAll @IntRange(min = 1, max = 2000) int sizeSeed,
            @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(stored, seed);
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(leaves);
        ProofBuilder builder = new ProofBuilder(store);
        int size = 1 + sizeSeed % stored;
        Random random = new Random(seed);

        for (int k = 0; k < 20; k++) {
            int index = random.nextInt(size);
            InclusionProof proof = builder.inclusion(index, size);
            assertThat(proof.hashes())
                    .as("proof of %d in %d", index, size)
                    .containsExactlyElementsOf(NaiveMerkle.path(index, leaves, 0, size));
        }
    }

    @Property(tries = 100)
    void consistencyProofs_equalRfc6962Proof(
            @ForAll @IntRange(min = 1, max = 2000) int size2,
            @ForAll @IntRange(min = 1, max = 2000) int size1Seed,
            @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(size2, seed);
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(leaves);
        int size1 = 1 + size1Seed % size2;

        ConsistencyProof proof = new ProofBuilder(store).consistency(size1, size2);

        assertThat(proof.hashes())
                .as("proof %d to %d", size1, size2)
                .containsExactlyElementsOf(size1 == size2 ? List.of() : NaiveMerkle.consistency(size1, leaves, size2));
    }

    @Test
    void inclusionProofs_inTheRfcExampleTree_areThePathsTheRfcLists() {
        // RFC 6962 §2.1.3, tree of 7 leaves: the path of d0 is [b, h, l] (leaf d1, the node over
        // d2..d3, the node over d4..d6); the path of d6 is [i, k] (node over d4..d5, over d0..d3).
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(7, 1);
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(leaves);
        ProofBuilder builder = new ProofBuilder(store);

        assertThat(builder.inclusion(0, 7).hashes())
                .containsExactly(leaves.get(1), NaiveMerkle.mth(leaves, 2, 4), NaiveMerkle.mth(leaves, 4, 7));
        assertThat(builder.inclusion(6, 7).hashes())
                .containsExactly(NaiveMerkle.mth(leaves, 4, 6), NaiveMerkle.mth(leaves, 0, 4));
    }

    @Test
    void inclusionProof_readsOneBatchOfLogarithmicallyManyNodes() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(NaiveMerkle.randomLeafHashes(5000, 2));
        List<List<NodeId>> reads = new ArrayList<>();
        ProofBuilder builder = new ProofBuilder(ids -> {
            reads.add(ids);
            return store.readHashes(ids);
        });

        builder.inclusion(4096, 4999);
        builder.consistency(1234, 4999);

        assertThat(reads).hasSize(2);
        // At most two nodes per level of a 13-level tree.
        assertThat(reads).allSatisfy(ids -> assertThat(ids.size()).isLessThanOrEqualTo(2 * 13));
    }

    @Test
    void consistencyProof_betweenEqualSizes_isEmptyWithoutReading() {
        ProofBuilder builder = new ProofBuilder(ids -> {
            throw new AssertionError("no read expected");
        });
        assertThat(builder.consistency(5, 5).hashes()).isEmpty();
        assertThat(builder.consistency(0, 0).hashes()).isEmpty();
    }

    @Test
    void inclusionProof_ofTheOnlyLeaf_isEmpty() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(NaiveMerkle.randomLeafHashes(1, 2));
        assertThat(new ProofBuilder(store).inclusion(0, 1).hashes()).isEmpty();
    }

    @Test
    void inclusionProof_forAnIndexOutsideTheTree_isRefused() {
        ProofBuilder builder = new ProofBuilder(new InMemoryHashStore());
        assertThatThrownBy(() -> builder.inclusion(5, 5)).hasMessage("index 5 is out of range for tree size 5");
        assertThatThrownBy(() -> builder.inclusion(-1, 5)).hasMessage("index -1 is out of range for tree size 5");
    }

    @Test
    void consistencyProof_fromTheEmptyTreeOrBackwards_isRefused() {
        ProofBuilder builder = new ProofBuilder(new InMemoryHashStore());
        assertThatThrownBy(() -> builder.consistency(0, 3)).hasMessageContaining("from the empty tree");
        assertThatThrownBy(() -> builder.consistency(4, 3)).hasMessage("no consistency proof from size 4 to size 3");
    }

    @Test
    void proofs_atOneMillionEntries_haveSubMillisecondP99() {
        InMemoryHashStore store = new InMemoryHashStore();
        TreeHasher hasher = TreeHasher.create();
        byte[] entry = new byte[8];
        for (int i = 0; i < 1_000_000; i++) {
            entry[0] = (byte) i;
            entry[1] = (byte) (i >> 8);
            entry[2] = (byte) (i >> 16);
            store.append(hasher.hashLeaf(entry));
        }
        ProofBuilder builder = new ProofBuilder(store);
        Random random = new Random(1);
        int rounds = 20_000;
        long[] nanos = new long[2 * rounds];
        for (int warmup = 0; warmup < 5_000; warmup++) {
            builder.inclusion(random.nextInt(1_000_000), 1_000_000);
            builder.consistency(1 + random.nextInt(999_999), 1_000_000);
        }
        for (int i = 0; i < rounds; i++) {
            int size = 1 + random.nextInt(1_000_000);
            long start = System.nanoTime();
            builder.inclusion(random.nextInt(size), size);
            long middle = System.nanoTime();
            builder.consistency(1 + random.nextInt(size), 1_000_000);
            long end = System.nanoTime();
            nanos[2 * i] = middle - start;
            nanos[2 * i + 1] = end - middle;
        }
        Arrays.sort(nanos);
        long p50 = nanos[nanos.length / 2];
        long p99 = nanos[nanos.length * 99 / 100];
        System.out.printf(
                "ProofBuilder at 1,000,000 entries (in memory): p50 %d us, p99 %d us%n", p50 / 1000, p99 / 1000);

        assertThat(p99).isLessThan(1_000_000);
    }
}
