package io.countersign.tlog.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConsistencyProofTest {

    @Test
    void proofsWithTheSameHashes_areEqual() {
        ConsistencyProof a = new ConsistencyProof(3, 7, List.of(new byte[] {1}, new byte[] {2}));
        ConsistencyProof b = new ConsistencyProof(3, 7, List.of(new byte[] {1}, new byte[] {2}));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new ConsistencyProof(3, 8, List.of(new byte[] {1}, new byte[] {2})));
    }

    @Test
    void hashes_returnedAreCopies() {
        ConsistencyProof proof = new ConsistencyProof(1, 2, List.of(new byte[] {1}));
        proof.hashes().get(0)[0] = 9;
        assertThat(proof.hashes()).singleElement().isEqualTo(new byte[] {1});
    }

    @Test
    void sizesBackwards_areRefused() {
        assertThatThrownBy(() -> new ConsistencyProof(3, 2, List.of())).hasMessage("consistency from size 3 to size 2");
    }
}
