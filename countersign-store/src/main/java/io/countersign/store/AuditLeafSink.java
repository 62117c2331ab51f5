package io.countersign.store;

import java.io.IOException;
import java.util.Optional;

/** Receives audit entries one at a time, in sequence order, during a streaming read (an export). */
@FunctionalInterface
public interface AuditLeafSink {

    /** Takes the leaf bytes of entry {@code seq}; the array is the sink's to keep. */
    void accept(long seq, byte[] leaf) throws IOException;

    /**
     * Takes a stored row with the columns kept beside its leaf for queries ({@code time} in epoch
     * milliseconds, {@code type}, the request id) and its MAC ({@link EntryMacs}; none for entries
     * from before schema 7); for verifiers, which check them against the leaf. By default only the leaf counts.
     */
    default void acceptRow(
            long seq, long time, String type, Optional<String> requestId, byte[] leaf, Optional<byte[]> mac)
            throws IOException {
        accept(seq, leaf);
    }
}
