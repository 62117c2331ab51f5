package io.countersign.tlog.tiles;

/**
 * An entry longer than the 65,535 bytes that an entry bundle's uint16 length prefix can say.
 * The entry is in the log and its hash in the tiles; only the bundle that would carry it can't
 * be written.
 */
public final class EntryTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long entryIndex;
    private final int length;

    public EntryTooLargeException(long entryIndex, int length) {
        super("entry " + entryIndex + " is " + length + " bytes; an entry bundle carries at most "
                + EntryBundle.MAX_ENTRY_LENGTH);
        this.entryIndex = entryIndex;
        this.length = length;
    }

    public long entryIndex() {
        return entryIndex;
    }

    public int length() {
        return length;
    }
}
