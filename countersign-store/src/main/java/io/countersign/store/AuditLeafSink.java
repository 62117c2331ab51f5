package io.countersign.store;

import java.io.IOException;

/** Receives audit entries one at a time, in sequence order, during a streaming read (an export). */
@FunctionalInterface
public interface AuditLeafSink {

    /** Takes the leaf bytes of entry {@code seq}; the array is the sink's to keep. */
    void accept(long seq, byte[] leaf) throws IOException;
}
