package io.countersign.tlog.checkpoint;

/** The note text is not a well-formed checkpoint body. */
public final class MalformedCheckpointException extends CheckpointException {
    public MalformedCheckpointException(String message) {
        super(message);
    }
}
