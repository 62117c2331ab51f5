package io.countersign.tlog.cosignature;

import io.countersign.tlog.TlogException;

/** A cosignature line from a configured witness's key that is malformed or does not verify. */
public final class CosignatureException extends TlogException {
    public CosignatureException(String message) {
        super(message);
    }
}
