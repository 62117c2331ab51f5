package io.countersign.tlog.proof;

/**
 * The proof does not fit its claim: wrong number of hashes, a hash of the wrong length, an
 * index outside the tree, sizes in the wrong order. Nothing was computed.
 */
public final class MalformedProofException extends ProofVerificationException {
    public MalformedProofException(String message) {
        super(message);
    }
}
