package io.countersign.tlog.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeTest {

    @Test
    void nodesWithTheSameIdAndHash_areEqual() {
        assertThat(new Node(NodeId.leaf(1), new byte[32])).isEqualTo(new Node(NodeId.leaf(1), new byte[32]));
        assertThat(new Node(NodeId.leaf(1), new byte[32])).isNotEqualTo(new Node(NodeId.leaf(2), new byte[32]));
    }

    @Test
    void hash_isCopiedInAndOut() {
        byte[] hash = new byte[32];
        Node node = new Node(NodeId.leaf(0), hash);
        hash[0] = 1;
        node.hash()[1] = 1;
        assertThat(node.hash()).isEqualTo(new byte[32]);
    }

    @Test
    void hashOfTheWrongLength_isRefused() {
        assertThatThrownBy(() -> new Node(new NodeId(1, 2), new byte[20]))
                .hasMessage("node(level 1, index 2) hash has 20 bytes, want 32");
    }
}
