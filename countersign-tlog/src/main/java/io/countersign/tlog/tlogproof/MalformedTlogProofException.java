package io.countersign.tlog.tlogproof;

import io.countersign.tlog.TlogException;

/** The text is not a well-formed c2sp.org/tlog-proof@v1 proof. */
public final class MalformedTlogProofException extends TlogException {
    public MalformedTlogProofException(String message) {
        super(message);
    }

    public MalformedTlogProofException(String message, Throwable cause) {
        super(message, cause);
    }
}
