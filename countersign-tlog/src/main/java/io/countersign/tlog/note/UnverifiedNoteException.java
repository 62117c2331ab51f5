package io.countersign.tlog.note;

import io.countersign.tlog.internal.Encoding;
import java.util.List;
import java.util.stream.Collectors;

/** The note is well-formed but carries no signature from a known key. */
public final class UnverifiedNoteException extends NoteException {
    private final transient List<NoteSignature> signatures;

    public UnverifiedNoteException(List<NoteSignature> signatures) {
        super("note has no signature from a known key; signed by "
                + signatures.stream()
                        .map(s -> s.keyName() + "+" + Encoding.keyIdHex(s.keyId()))
                        .collect(Collectors.joining(", ")));
        this.signatures = List.copyOf(signatures);
    }

    /** The signatures the note carries, none of them from a known key. */
    public List<NoteSignature> signatures() {
        return signatures;
    }
}
