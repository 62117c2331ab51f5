package io.countersign.tlog.note;

import io.countersign.tlog.TlogException;

/** A signed note was rejected. */
public abstract sealed class NoteException extends TlogException
        permits MalformedNoteException, InvalidSignatureException, UnverifiedNoteException {
    NoteException(String message) {
        super(message);
    }
}
