package io.countersign.tlog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.tlog.tree.NodeId;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class NodeRangesTest {

    @Test
    void decompose_growsThenShrinks() {
        List<NodeId> ids = new ArrayList<>();
        NodeRanges.decompose(3, 13, ids);
        // 3 | 4..7 | 8..11 | 12
        assertThat(ids).containsExactly(new NodeId(0, 3), new NodeId(2, 1), new NodeId(2, 2), new NodeId(0, 12));
    }

    @Property
    void decompose_coversTheRangeExactly_withAlignedNodes_atMostTwoPerLevel(
            @ForAll @LongRange(min = 0, max = 1L << 40) long begin,
            @ForAll @LongRange(min = 0, max = 1L << 40) long length) {
        List<NodeId> ids = new ArrayList<>();
        NodeRanges.decompose(begin, begin + length, ids);

        long next = begin;
        int[] perLevel = new int[64];
        for (NodeId id : ids) {
            assertThat(id.begin()).isEqualTo(next);
            next = id.end();
            perLevel[id.level()]++;
        }
        assertThat(next).isEqualTo(begin + length);
        for (int count : perLevel) {
            assertThat(count).isLessThanOrEqualTo(2);
        }
    }
}
