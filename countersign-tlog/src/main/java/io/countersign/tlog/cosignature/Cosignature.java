package io.countersign.tlog.cosignature;

import io.countersign.tlog.note.NoteSignature;
import java.time.Instant;
import java.util.Objects;

/**
 * A verified cosignature: which witness signed, when it says it did, and the note signature
 * line, which goes under the checkpoint beside the log's own signature.
 */
public record Cosignature(String witness, Instant time, NoteSignature signature) {
    public Cosignature {
        Objects.requireNonNull(witness, "witness is null");
        Objects.requireNonNull(time, "time is null");
        Objects.requireNonNull(signature, "signature is null");
    }

    /** The signature line, without its newline. */
    public String line() {
        return signature.line();
    }
}
