package io.countersign.tlog.checkpoint;

import io.countersign.tlog.TlogException;

/** A checkpoint was rejected. */
public abstract sealed class CheckpointException extends TlogException
        permits MalformedCheckpointException, OriginMismatchException {
    CheckpointException(String message) {
        super(message);
    }
}
