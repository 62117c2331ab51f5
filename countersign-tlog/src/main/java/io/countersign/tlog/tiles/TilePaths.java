package io.countersign.tlog.tiles;

/**
 * Tile and entry bundle paths as C2SP tlog-tiles spells them. An index is written in 3-digit
 * groups, zero-padded, every group but the last prefixed with {@code x} (1234067 is
 * {@code x001/x234/067}), so that tiles can be files in a directory tree. Parsing accepts only
 * the one canonical spelling of each name: two paths never name the same tile, which keeps
 * caches from holding one resource twice.
 */
public final class TilePaths {
    private TilePaths() {}

    /** {@code index} in 3-digit groups: 0 is {@code 000}, 1234067 is {@code x001/x234/067}. */
    public static String formatIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("index " + index + " is negative");
        }
        StringBuilder path = new StringBuilder(String.format("%03d", index % 1000));
        for (long rest = index / 1000; rest > 0; rest /= 1000) {
            path.insert(0, String.format("x%03d/", rest % 1000));
        }
        return path.toString();
    }

    /** A hash tile from what follows {@code tile/}: {@code <L>/<N>[.p/<W>]}. */
    public static TileId parseTile(String path) {
        int slash = path.indexOf('/');
        if (slash < 0) {
            throw new MalformedTilePathException("tile path '" + path + "' has no index after its level");
        }
        int level = smallNumber(path.substring(0, slash), "level", TileId.MAX_LEVEL);
        Named named = indexAndWidth(path.substring(slash + 1));
        return new TileId(level, named.index(), named.width());
    }

    /** An entry bundle from what follows {@code tile/entries/}: {@code <N>[.p/<W>]}. */
    public static BundleId parseBundle(String path) {
        Named named = indexAndWidth(path);
        return new BundleId(named.index(), named.width());
    }

    private record Named(long index, int width) {}

    private static Named indexAndWidth(String path) {
        int width = TileId.WIDTH;
        String index = path;
        int partial = path.indexOf(".p/");
        if (partial >= 0) {
            index = path.substring(0, partial);
            width = smallNumber(path.substring(partial + 3), "width", TileId.WIDTH - 1);
            if (width == 0) {
                throw new MalformedTilePathException("partial width 0 in '" + path + "': empty tiles are not served");
            }
        }
        long parsed = index(index);
        if (!formatIndex(parsed).equals(index)) {
            throw new MalformedTilePathException(
                    "index '" + index + "' is not spelled canonically; want '" + formatIndex(parsed) + "'");
        }
        return new Named(parsed, width);
    }

    private static long index(String text) {
        String[] groups = text.split("/", -1);
        if (groups.length > 7) {
            throw new MalformedTilePathException(
                    "index '" + text + "' has " + groups.length + " groups, want at most 7");
        }
        long index = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            boolean last = i == groups.length - 1;
            String digits = last ? group : group.startsWith("x") ? group.substring(1) : "";
            if (digits.length() != 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new MalformedTilePathException(
                        "index '" + text + "': group '" + group + "' is not " + (last ? "3 digits" : "x and 3 digits"));
            }
            try {
                index = Math.addExact(Math.multiplyExact(index, 1000), Integer.parseInt(digits));
            } catch (ArithmeticException e) {
                throw new MalformedTilePathException("index '" + text + "' is over " + Long.MAX_VALUE);
            }
        }
        return index;
    }

    /** A decimal number without leading zeros, at most {@code max}. */
    private static int smallNumber(String text, String what, int max) {
        if (text.isEmpty()
                || text.length() > 3
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || (text.length() > 1 && text.charAt(0) == '0')) {
            throw new MalformedTilePathException(
                    what + " '" + text + "' is not a decimal number without leading zeros");
        }
        int value = Integer.parseInt(text);
        if (value > max) {
            throw new MalformedTilePathException(what + " " + value + " is over " + max);
        }
        return value;
    }
}
