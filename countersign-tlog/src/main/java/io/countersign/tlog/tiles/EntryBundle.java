package io.countersign.tlog.tiles;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** Writes entry bundles: each entry after its length as a big-endian uint16. */
public final class EntryBundle {
    /** The longest entry a uint16 length prefix can carry. */
    public static final int MAX_ENTRY_LENGTH = 0xFFFF;

    private EntryBundle() {}

    /**
     * The bundle of {@code entries}, which must be exactly the bundle's entries in order.
     *
     * @throws EntryTooLargeException when an entry is longer than {@link #MAX_ENTRY_LENGTH}
     *     (the prefix would wrap and every later entry would be read wrongly)
     */
    public static byte[] encode(BundleId bundle, List<byte[]> entries) {
        if (entries.size() != bundle.width()) {
            throw new IllegalArgumentException(
                    "bundle " + bundle.path() + " has " + bundle.width() + " entries, got " + entries.size());
        }
        int total = 0;
        for (int i = 0; i < entries.size(); i++) {
            int length = entries.get(i).length;
            if (length > MAX_ENTRY_LENGTH) {
                throw new EntryTooLargeException(bundle.start() + i, length);
            }
            total += 2 + length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        for (byte[] entry : entries) {
            out.write(entry.length >>> 8);
            out.write(entry.length & 0xFF);
            out.writeBytes(entry);
        }
        return out.toByteArray();
    }
}
