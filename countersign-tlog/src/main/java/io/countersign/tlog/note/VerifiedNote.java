package io.countersign.tlog.note;

import java.util.List;
import java.util.Objects;

/**
 * A note whose text is vouched for by at least one known key.
 *
 * @param verified signatures from known keys, all valid (at least one)
 * @param unverified signatures from keys the verifier does not know, ignored
 */
public record VerifiedNote(String text, List<NoteSignature> verified, List<NoteSignature> unverified) {
    public VerifiedNote {
        Objects.requireNonNull(text, "text is null");
        verified = List.copyOf(verified);
        unverified = List.copyOf(unverified);
        if (verified.isEmpty()) {
            throw new IllegalArgumentException("a verified note needs a verified signature");
        }
    }
}
