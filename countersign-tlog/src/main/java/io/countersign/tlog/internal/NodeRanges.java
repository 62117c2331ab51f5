package io.countersign.tlog.internal;

import io.countersign.tlog.tree.NodeId;
import java.util.ArrayList;
import java.util.List;

/** Splits leaf ranges into the perfect subtrees that storage holds. */
public final class NodeRanges {
    private NodeRanges() {}

    /**
     * Appends to {@code out}, left to right, the fewest perfect subtrees covering leaves
     * {@code [begin, end)}: the "compact range". At each step the next node is the largest one
     * that starts at {@code begin} (aligned: its size divides {@code begin}) and still fits
     * before {@code end}. At most two nodes per level, so O(log n) of them.
     */
    public static void decompose(long begin, long end, List<NodeId> out) {
        while (begin < end) {
            int aligned = begin == 0 ? NodeId.MAX_LEVEL : Long.numberOfTrailingZeros(begin);
            int fits = 63 - Long.numberOfLeadingZeros(end - begin);
            int level = Math.min(aligned, fits);
            out.add(new NodeId(level, begin >> level));
            begin += 1L << level;
        }
    }

    /** The compact range of the prefix {@code [0, size)}: one node per set bit, largest first. */
    public static List<NodeId> prefix(long size) {
        List<NodeId> ids = new ArrayList<>(Long.bitCount(size));
        decompose(0, size, ids);
        return ids;
    }
}
