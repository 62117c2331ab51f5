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

class CompactRangeTest {

    @Test
    void root_ofTheEmptyRange_isTheEmptyTreeHash() {
        assertThat(CompactRange.empty().root()).isEqualTo(TreeHasher.emptyRoot());
    }

    @Test
    void root_afterEachAppend_matchesRfc6962TestVectorRoots() {
        // RFC 6962 / certificate-transparency reference leaves and roots for sizes 1..8.
        byte[][] leaves = {
            {},
            {0x00},
            {0x10},
            {0x20, 0x21},
            {0x30, 0x31},
            {0x40, 0x41, 0x42, 0x43},
            {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
            {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f},
        };
        String[] roots = {
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        };
        CompactRange range = CompactRange.empty();
        for (int i = 0; i < leaves.length; i++) {
            range.appendEntry(leaves[i]);
            assertThat(java.util.HexFormat.of().formatHex(range.root()))
                    .as("root of size %d", i + 1)
                    .isEqualTo(roots[i]);
        }
    }

    @Property(tries = 200)
    void root_afterEveryAppend_equalsNaiveMth(@ForAll @IntRange(min = 1, max = 300) int size, @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(size, seed);
        CompactRange range = CompactRange.empty();
        for (int n = 1; n <= size; n++) {
            range.append(leaves.get(n - 1));
            assertThat(range.root()).as("root of size %d", n).isEqualTo(NaiveMerkle.mth(leaves, n));
        }
    }

    @Property(tries = 200)
    void rangeRebuiltFromItsBorderHashes_continuesLikeTheOriginal(
            @ForAll @IntRange(min = 0, max = 1000) int size,
            @ForAll @IntRange(min = 1, max = 50) int more,
            @ForAll long seed) {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(size + more, seed);
        CompactRange original = CompactRange.empty();
        leaves.subList(0, size).forEach(original::append);

        CompactRange rebuilt = CompactRange.of(size, original.hashes());
        leaves.subList(size, size + more).forEach(rebuilt::append);

        assertThat(rebuilt.size()).isEqualTo(size + more);
        assertThat(rebuilt.root()).isEqualTo(NaiveMerkle.mth(leaves, size + more));
    }

    @Test
    void copy_growsIndependentlyOfTheOriginal() {
        List<byte[]> leaves = NaiveMerkle.randomLeafHashes(12, 4);
        CompactRange original = CompactRange.empty();
        leaves.subList(0, 11).forEach(original::append);

        CompactRange copy = original.copy();
        copy.append(leaves.get(11));

        assertThat(original.size()).isEqualTo(11);
        assertThat(original.root()).isEqualTo(NaiveMerkle.mth(leaves, 11));
        assertThat(copy.root()).isEqualTo(NaiveMerkle.mth(leaves, 12));
    }

    @Test
    void borderIds_haveOneNodePerSetBitOfTheSize_largestFirst() {
        assertThat(CompactRange.ids(13)).containsExactly(new NodeId(3, 0), new NodeId(2, 2), new NodeId(0, 12));
        assertThat(CompactRange.ids(0)).isEmpty();
    }

    @Test
    void sink_seesTheLeafThenEveryParentItCompletes() {
        CompactRange range = CompactRange.empty();
        for (int i = 0; i < 7; i++) {
            range.append(NaiveMerkle.leafHash(new byte[] {(byte) i}));
        }
        List<NodeId> seen = new ArrayList<>();
        range.append(NaiveMerkle.leafHash(new byte[] {7}), (level, index, hash) -> seen.add(new NodeId(level, index)));
        assertThat(seen).containsExactly(new NodeId(0, 7), new NodeId(1, 3), new NodeId(2, 1), new NodeId(3, 0));
    }

    @Test
    void borderWithTheWrongNumberOfHashes_isRefused() {
        assertThatThrownBy(() -> CompactRange.of(5, List.of(new byte[32])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size 5 needs 2 border hashes, got 1");
    }

    @Test
    void leafHashOfTheWrongLength_isRefused() {
        assertThatThrownBy(() -> CompactRange.empty().append(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaf hash has 31 bytes, want 32");
    }

    @Test
    void root_overOneMillionEntries_takesWellUnderTenSeconds() {
        byte[] entry = new byte[200];
        CompactRange range = CompactRange.empty();
        long start = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            entry[0] = (byte) i;
            entry[1] = (byte) (i >> 8);
            entry[2] = (byte) (i >> 16);
            range.appendEntry(entry);
        }
        byte[] root = range.root();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("CompactRange: root over 1,000,000 entries of 200 bytes in %d ms%n", millis);

        assertThat(root).hasSize(32);
        assertThat(range.size()).isEqualTo(1_000_000);
        assertThat(millis).isLessThan(10_000);
    }
}
