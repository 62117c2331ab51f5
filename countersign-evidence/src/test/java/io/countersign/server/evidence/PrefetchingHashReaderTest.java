package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.tree.InMemoryHashStore;
import io.countersign.tlog.tree.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proofs through the prefetching reader are the store's own, with far fewer reads. */
class PrefetchingHashReaderTest {

    @Test
    void givesTheSameProofsAsTheStore_forEveryEntry_underACheckpointBehindTheTree() {
        InMemoryHashStore tree = new InMemoryHashStore();
        for (int i = 0; i < 3000; i++) {
            tree.appendEntry(("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        long size = 2731; // the checkpoint: the stored tree is ahead of it
        List<Integer> reads = new ArrayList<>();
        ProofBuilder direct = new ProofBuilder(tree);
        ProofBuilder prefetching = new ProofBuilder(new PrefetchingHashReader(
                (List<NodeId> ids) -> {
                    reads.add(ids.size());
                    return tree.readHashes(ids);
                },
                size));

        for (long index = 0; index < size; index++) {
            InclusionProof expected = direct.inclusion(index, size);
            assertThat(prefetching.inclusion(index, size)).as("entry %d", index).isEqualTo(expected);
        }
        assertThat(reads).as("reads for %d proofs", size).hasSizeLessThan(40);
    }
}
