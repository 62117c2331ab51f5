package io.countersign.tlog.tiles;

/**
 * A hash tile: {@code width} consecutive hashes of tree level {@code 8 * level}, starting at
 * node {@code index * 256} of that level. A full tile has width 256; a partial one 1 to 255.
 * Levels 0 to 63 are valid names (the spec's range), though a tree whose size fits a long has
 * no tile above level 7.
 */
public record TileId(int level, long index, int width) {
    /** Hashes in a full tile. */
    public static final int WIDTH = 256;

    /** The highest level the spec allows in a tile path. */
    public static final int MAX_LEVEL = 63;

    public TileId {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("tile level " + level + " is outside [0, " + MAX_LEVEL + "]");
        }
        if (index < 0) {
            throw new IllegalArgumentException("tile index " + index + " is negative");
        }
        if (width < 1 || width > WIDTH) {
            throw new IllegalArgumentException("tile width " + width + " is outside [1, " + WIDTH + "]");
        }
    }

    public boolean isFull() {
        return width == WIDTH;
    }

    /** Its path under a log's prefix: {@code tile/<L>/<N>[.p/<W>]}. */
    public String path() {
        return "tile/" + level + "/" + TilePaths.formatIndex(index) + (isFull() ? "" : ".p/" + width);
    }

    /**
     * Whether a tree of {@code treeSize} leaves has this tile: each of its hashes is a complete
     * node, that is {@code index * 256 + width <= floor(treeSize / 256^level)}.
     */
    public boolean isCompleteIn(long treeSize) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size " + treeSize + " is negative");
        }
        // 8 * level >= 64 shifts wrap in Java, and no long-sized tree reaches that level anyway.
        if (level > 7) {
            return false;
        }
        long nodes = treeSize >>> (8 * level);
        // index <= nodes / 256 keeps index * 256 from overflowing.
        return index <= nodes / WIDTH && index * WIDTH + width <= nodes;
    }
}
