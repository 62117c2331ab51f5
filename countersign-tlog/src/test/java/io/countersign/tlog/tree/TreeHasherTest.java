package io.countersign.tlog.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.testing.NaiveMerkle;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TreeHasherTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void emptyRoot_isSha256OfTheEmptyString() {
        assertThat(HEX.formatHex(TreeHasher.emptyRoot()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void emptyRoot_isACopyCallersCannotCorrupt() {
        TreeHasher.emptyRoot()[0] = 0;
        assertThat(TreeHasher.emptyRoot()[0]).isEqualTo((byte) 0xe3);
    }

    @Test
    void leafHash_ofTheEmptyLeaf_matchesRfc6962TestVector() {
        assertThat(HEX.formatHex(TreeHasher.leafHash(new byte[0])))
                .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    @Test
    void leafHash_prefixesZeroByte() {
        byte[] leaf = {1, 2, 3};
        assertThat(TreeHasher.leafHash(leaf)).isEqualTo(NaiveMerkle.sha256(new byte[] {0}, leaf));
    }

    @Test
    void nodeHash_prefixesOneByte() {
        byte[] left = NaiveMerkle.leafHash(new byte[] {1});
        byte[] right = NaiveMerkle.leafHash(new byte[] {2});
        assertThat(TreeHasher.nodeHash(left, right)).isEqualTo(NaiveMerkle.sha256(new byte[] {1}, left, right));
    }

    @Test
    void leafAndNodeHashes_ofTheSameBytes_differ() {
        byte[] left = new byte[32];
        byte[] right = new byte[32];
        byte[] concatenated = new byte[64];
        assertThat(TreeHasher.leafHash(concatenated)).isNotEqualTo(TreeHasher.nodeHash(left, right));
    }

    @Test
    void hashChildren_intoOneOfItsInputs_givesTheSameHash() {
        TreeHasher hasher = TreeHasher.create();
        byte[] left = NaiveMerkle.leafHash(new byte[] {1});
        byte[] right = NaiveMerkle.leafHash(new byte[] {2});
        byte[] want = NaiveMerkle.nodeHash(left, right);

        byte[] aliasRight = right.clone();
        hasher.hashChildren(left, aliasRight, aliasRight);
        byte[] aliasLeft = left.clone();
        hasher.hashChildren(aliasLeft, right, aliasLeft);

        assertThat(aliasRight).isEqualTo(want);
        assertThat(aliasLeft).isEqualTo(want);
    }

    @Test
    void hashLeaf_intoAShortBuffer_isRefused() {
        assertThatThrownBy(() -> TreeHasher.create().hashLeaf(new byte[0], new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output buffer has 16 bytes, want 32");
    }
}
