package io.countersign.tlog.checkpoint;

import io.countersign.tlog.note.MalformedNoteException;
import io.countersign.tlog.note.Note;
import io.countersign.tlog.note.NoteException;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.NoteVerifier;
import java.util.List;
import java.util.Objects;

/**
 * A checkpoint with its signed note: what {@code GET /v1/audit/checkpoint} serves. Parsing
 * does not make it trusted; {@link #verify} does.
 */
public record SignedCheckpoint(Checkpoint checkpoint, Note note) {
    public SignedCheckpoint {
        Objects.requireNonNull(checkpoint, "checkpoint is null");
        Objects.requireNonNull(note, "note is null");
        if (!checkpoint.format().equals(note.text())) {
            throw new IllegalArgumentException("note text is not the checkpoint");
        }
    }

    /**
     * Signs a checkpoint with the log's key, whose name must be the checkpoint's origin (the
     * tlog-checkpoint spec recommends it, and {@link #verify} relies on it).
     */
    public static SignedCheckpoint sign(Checkpoint checkpoint, NoteSigner logKey) {
        if (!logKey.name().equals(checkpoint.origin())) {
            throw new IllegalArgumentException("log key is named '" + logKey.name() + "' but the checkpoint origin is '"
                    + checkpoint.origin() + "'");
        }
        return new SignedCheckpoint(checkpoint, Note.sign(checkpoint.format(), logKey));
    }

    /** Parses a signed checkpoint without checking signatures. */
    public static SignedCheckpoint parse(String message) throws MalformedNoteException, MalformedCheckpointException {
        Note note = Note.parse(message);
        return new SignedCheckpoint(Checkpoint.parse(note.text()), note);
    }

    /**
     * Parses a signed checkpoint and verifies it: see {@link #verify}.
     *
     * @return the checkpoint, now trusted
     */
    public static Checkpoint open(String message, NoteVerifier logKey) throws NoteException, CheckpointException {
        return parse(message).verify(logKey);
    }

    /**
     * Checks that the log's key signed this checkpoint and that the checkpoint's origin is the
     * key's name. Signatures from other keys (witnesses, a rotated key) are ignored.
     *
     * @return the checkpoint, now trusted
     */
    public Checkpoint verify(NoteVerifier logKey) throws NoteException, OriginMismatchException {
        note.verify(List.of(logKey));
        if (!checkpoint.origin().equals(logKey.name())) {
            throw new OriginMismatchException(logKey.name(), checkpoint.origin());
        }
        return checkpoint;
    }

    /** The signed note text. */
    public String format() {
        return note.format();
    }
}
