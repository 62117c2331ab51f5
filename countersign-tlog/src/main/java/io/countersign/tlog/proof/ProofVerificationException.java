package io.countersign.tlog.proof;

import io.countersign.tlog.TlogException;

/** A proof was rejected: either it cannot be checked at all, or it checks to another root. */
public abstract sealed class ProofVerificationException extends TlogException
        permits MalformedProofException, RootMismatchException {
    ProofVerificationException(String message) {
        super(message);
    }
}
