package io.countersign.tlog.tiles;

/** A path that is not a tile or entry bundle name as C2SP tlog-tiles spells them. */
public final class MalformedTilePathException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedTilePathException(String message) {
        super(message);
    }
}
