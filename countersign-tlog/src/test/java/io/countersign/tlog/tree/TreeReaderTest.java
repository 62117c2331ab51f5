package io.countersign.tlog.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.testing.NaiveMerkle;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TreeReaderTest {

    @Property(tries = 100)
    void rootAt_everyPrefixSize_equalsNaiveMth(@ForAll @IntRange(min = 1, max = 2000) int size, @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(size, seed);
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(leaves);
        TreeReader reader = new TreeReader(store);

        CompactRange expected = CompactRange.empty();
        for (int m = 1; m <= size; m++) {
            expected.append(leaves.get(m - 1));
            assertThat(reader.rootAt(m)).as("root at %d of %d", m, size).isEqualTo(expected.root());
        }
        assertThat(reader.rootAt(size)).isEqualTo(NaiveMerkle.mth(leaves, size));
        assertThat(reader.rootAt(size / 2 + 1)).isEqualTo(NaiveMerkle.mth(leaves, size / 2 + 1));
    }

    @Test
    void rootAt_readsOneBatchOfOneNodePerSetBit() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(NaiveMerkle.randomLeafHashes(1000, 3));
        List<List<NodeId>> reads = new ArrayList<>();
        TreeReader reader = new TreeReader(ids -> {
            reads.add(ids);
            return store.readHashes(ids);
        });

        reader.rootAt(999);

        assertThat(reads).hasSize(1);
        assertThat(reads.get(0)).hasSize(Long.bitCount(999));
    }

    @Test
    void rootAt_zero_isTheEmptyTreeHash_withoutReading() {
        TreeReader reader = new TreeReader(ids -> {
            throw new AssertionError("no read expected");
        });
        assertThat(reader.rootAt(0)).isEqualTo(TreeHasher.emptyRoot());
    }

    @Test
    void rootAt_beyondTheStoredTree_isRefusedByStorage() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(NaiveMerkle.randomLeafHashes(4, 3));
        assertThatThrownBy(() -> new TreeReader(store).rootAt(5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node(level 0, index 4) is not stored: tree size is 4");
    }
}
