package io.countersign.tlog.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InclusionProofTest {

    @Test
    void proofsWithTheSameHashes_areEqual() {
        InclusionProof a = new InclusionProof(1, 2, List.of(new byte[] {1, 2}));
        InclusionProof b = new InclusionProof(1, 2, List.of(new byte[] {1, 2}));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new InclusionProof(1, 2, List.of(new byte[] {1, 3})));
        assertThat(a).hasToString("InclusionProof[index=1, size=2, hashes=[AQI=]]");
    }

    @Test
    void hashes_areCopiedInAndOut() {
        byte[] hash = {1};
        List<byte[]> hashes = new ArrayList<>(List.of(hash));
        InclusionProof proof = new InclusionProof(0, 2, hashes);

        hash[0] = 9;
        hashes.clear();
        proof.hashes().get(0)[0] = 9;

        assertThat(proof.hashes()).singleElement().isEqualTo(new byte[] {1});
    }

    @Test
    void indexOutsideTheTree_isRefused() {
        assertThatThrownBy(() -> new InclusionProof(2, 2, List.of()))
                .hasMessage("index 2 is out of range for tree size 2");
    }
}
