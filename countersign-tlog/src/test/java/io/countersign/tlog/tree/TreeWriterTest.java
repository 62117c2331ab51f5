package io.countersign.tlog.tree;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.tlog.testing.NaiveMerkle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TreeWriterTest {

    @Property(tries = 200)
    void appendsInRandomBatches_giveTheSameNodesAndRootsAsOneByOne(
            @ForAll @IntRange(min = 1, max = 1500) int size, @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(size, seed);

        CompactRange single = CompactRange.empty();
        List<Node> oneByOne = new ArrayList<>();
        for (byte[] leaf : leaves) {
            oneByOne.addAll(TreeWriter.append(single, List.of(leaf)).nodes());
        }

        Random random = new Random(seed);
        CompactRange batched = CompactRange.empty();
        List<Node> inBatches = new ArrayList<>();
        int done = 0;
        while (done < size) {
            int batch = Math.min(size - done, 1 + random.nextInt(64));
            TreeAppend append = TreeWriter.append(batched, leaves.subList(done, done + batch));
            assertThat(append.fromSize()).isEqualTo(done);
            assertThat(append.toSize()).isEqualTo(done + batch);
            assertThat(append.root()).isEqualTo(NaiveMerkle.mth(leaves, done + batch));
            inBatches.addAll(append.nodes());
            done += batch;
        }

        assertThat(inBatches).isEqualTo(oneByOne);
        assertThat(batched.root()).isEqualTo(single.root());
    }

    @Property(tries = 200)
    void append_writesExactlyTheNodesThatBecomeComplete_withTheirMth(
            @ForAll @IntRange(min = 0, max = 600) int from,
            @ForAll @IntRange(min = 0, max = 200) int count,
            @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(from + count, seed);
        CompactRange border = CompactRange.empty();
        leaves.subList(0, from).forEach(border::append);

        TreeAppend append = TreeWriter.append(border, leaves.subList(from, from + count));

        Set<NodeId> written = new HashSet<>();
        for (Node node : append.nodes()) {
            NodeId id = node.id();
            assertThat(written.add(id)).as("%s written once", id).isTrue();
            assertThat(node.hash()).as("hash of %s", id).isEqualTo(NaiveMerkle.mth(leaves, (int) id.begin(), (int)
                    id.end()));
        }
        Set<NodeId> newlyComplete = new HashSet<>();
        for (int level = 0; (1L << level) <= from + count; level++) {
            for (long index = 0; (index + 1) << level <= from + count; index++) {
                NodeId id = new NodeId(level, index);
                if (!id.isCompleteIn(from)) {
                    newlyComplete.add(id);
                }
            }
        }
        assertThat(written).isEqualTo(newlyComplete);
        // O(k + log n): each new leaf completes at most as many parents as it has trailing ones.
        assertThat(append.nodes().size()).isLessThanOrEqualTo(2 * count + 64);
    }

    @Test
    void appendFromStorage_readsTheBorderOnce_andMatchesTheInMemoryBorder() {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(1000, 7);
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(leaves.subList(0, 777));
        List<List<NodeId>> reads = new ArrayList<>();
        HashReader counting = ids -> {
            reads.add(ids);
            return store.readHashes(ids);
        };

        TreeAppend fromStorage = TreeWriter.append(counting, 777, leaves.subList(777, 1000));

        CompactRange border = CompactRange.empty();
        leaves.subList(0, 777).forEach(border::append);
        assertThat(fromStorage).isEqualTo(TreeWriter.append(border, leaves.subList(777, 1000)));
        assertThat(reads).containsExactly(CompactRange.ids(777));
    }

    @Test
    void appendOfNothing_writesNothing_andKeepsTheRoot() {
        CompactRange border = CompactRange.empty();
        NaiveMerkle.randomLeafHashes(5, 1).forEach(border::append);
        byte[] root = border.root();

        TreeAppend append = TreeWriter.append(border, List.of());

        assertThat(append.nodes()).isEmpty();
        assertThat(append.root()).isEqualTo(root);
        assertThat(append.fromSize()).isEqualTo(5).isEqualTo(append.toSize());
    }
}
