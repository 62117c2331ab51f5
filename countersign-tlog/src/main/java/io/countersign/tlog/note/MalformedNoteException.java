package io.countersign.tlog.note;

/** The text is not a well-formed signed note; no signature was checked. */
public final class MalformedNoteException extends NoteException {
    public MalformedNoteException(String message) {
        super(message);
    }
}
