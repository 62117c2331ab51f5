package io.countersign.tlog.tiles;

/**
 * An entry bundle: the {@code width} entries from {@code index * 256} on, the entries behind
 * the level-0 tile of the same index and width.
 */
public record BundleId(long index, int width) {
    public BundleId {
        if (index < 0) {
            throw new IllegalArgumentException("bundle index " + index + " is negative");
        }
        if (width < 1 || width > TileId.WIDTH) {
            throw new IllegalArgumentException("bundle width " + width + " is outside [1, " + TileId.WIDTH + "]");
        }
    }

    public boolean isFull() {
        return width == TileId.WIDTH;
    }

    /** The first entry's index. */
    public long start() {
        return index * TileId.WIDTH;
    }

    /** One past the last entry's index. */
    public long end() {
        return start() + width;
    }

    /** Its path under a log's prefix: {@code tile/entries/<N>[.p/<W>]}. */
    public String path() {
        return "tile/entries/" + TilePaths.formatIndex(index) + (isFull() ? "" : ".p/" + width);
    }

    /** The level-0 tile whose hashes are these entries' leaf hashes. */
    public TileId leafTile() {
        return new TileId(0, index, width);
    }

    public boolean isCompleteIn(long treeSize) {
        return leafTile().isCompleteIn(treeSize);
    }
}
