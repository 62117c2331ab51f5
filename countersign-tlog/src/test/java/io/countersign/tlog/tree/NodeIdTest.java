package io.countersign.tlog.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeIdTest {
    @Test
    void node_coversItsAlignedLeafRange() {
        NodeId node = new NodeId(3, 5);
        assertThat(node.begin()).isEqualTo(40);
        assertThat(node.end()).isEqualTo(48);
    }

    @Test
    void node_isCompleteExactlyWhenItsLastLeafIsInTheTree() {
        NodeId node = new NodeId(2, 1); // leaves 4..7
        assertThat(node.isCompleteIn(7)).isFalse();
        assertThat(node.isCompleteIn(8)).isTrue();
    }

    @Test
    void parentAndSibling_followTheIndexBits() {
        assertThat(new NodeId(1, 5).parent()).isEqualTo(new NodeId(2, 2));
        assertThat(new NodeId(1, 5).sibling()).isEqualTo(new NodeId(1, 4));
        assertThat(NodeId.leaf(6).sibling()).isEqualTo(NodeId.leaf(7));
    }

    @Test
    void negativeIndex_isRefused() {
        assertThatThrownBy(() -> new NodeId(0, -1)).hasMessage("index -1 at level 0 is out of range");
    }

    @Test
    void levelBeyondTheLargestTree_isRefused() {
        assertThatThrownBy(() -> new NodeId(63, 0)).hasMessage("level 63 is outside [0, 62]");
    }

    @Test
    void indexWhoseRangeOverflowsALong_isRefused() {
        assertThatThrownBy(() -> new NodeId(62, 1)).hasMessage("index 1 at level 62 is out of range");
        assertThat(new NodeId(62, 0).end()).isEqualTo(1L << 62);
    }
}
