package io.countersign.tlog.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.testing.NaiveMerkle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryHashStoreTest {

    @Test
    void store_holdsEveryCompleteNode_withItsMth() {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(70_000, 11); // spans several chunks at level 0
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(leaves);

        List<NodeId> sample = new ArrayList<>();
        for (int level = 0; level <= 16; level++) {
            long last = (70_000L >> level) - 1;
            sample.add(new NodeId(level, 0));
            sample.add(new NodeId(level, last));
            sample.add(new NodeId(level, last / 2));
        }
        List<byte[]> hashes = store.readHashes(sample);
        for (int i = 0; i < sample.size(); i++) {
            NodeId id = sample.get(i);
            assertThat(hashes.get(i)).as("%s", id).isEqualTo(NaiveMerkle.mth(leaves, (int) id.begin(), (int) id.end()));
        }
    }

    @Test
    void root_equalsNaiveMth() {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(1234, 5);
        InMemoryHashStore store = new InMemoryHashStore();
        assertThat(store.append(leaves)).isEqualTo(NaiveMerkle.mth(leaves, 1234));
        assertThat(store.root()).isEqualTo(NaiveMerkle.mth(leaves, 1234));
        assertThat(store.size()).isEqualTo(1234);
    }

    @Test
    void appendEntry_hashesTheEntryAsALeaf() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.appendEntry(new byte[] {42});
        assertThat(store.root()).isEqualTo(NaiveMerkle.leafHash(new byte[] {42}));
    }

    @Test
    void readHashes_ofAnIncompleteNode_isRefused() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(NaiveMerkle.randomLeafHashes(6, 1));
        assertThatThrownBy(() -> store.readHashes(List.of(new NodeId(2, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node(level 2, index 1) is not stored: tree size is 6");
    }

    @Test
    void readHashes_returnsCopies() {
        InMemoryHashStore store = new InMemoryHashStore();
        store.append(NaiveMerkle.randomLeafHashes(2, 1));
        store.readHashes(List.of(NodeId.leaf(0))).get(0)[0] ^= 1;
        assertThat(store.root())
                .isEqualTo(NaiveMerkle.mth(store.readHashes(List.of(NodeId.leaf(0), NodeId.leaf(1))), 2));
    }
}
