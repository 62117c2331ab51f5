package io.countersign.tlog.proof;

import io.countersign.tlog.internal.Encoding;

/**
 * The proof is well-formed, but the root it leads to is not the root it was checked against:
 * the leaf is not in that tree, or the trees are not consistent, or something was altered.
 */
public final class RootMismatchException extends ProofVerificationException {
    private final long size;
    private final byte[] expected;
    private final byte[] calculated;

    public RootMismatchException(long size, byte[] expected, byte[] calculated) {
        super("root of tree size " + size + ": calculated " + Encoding.base64(calculated) + ", expected "
                + Encoding.base64(expected));
        this.size = size;
        this.expected = expected.clone();
        this.calculated = calculated.clone();
    }

    /** The size of the tree whose root did not match. */
    public long size() {
        return size;
    }

    /** The root the proof was checked against. */
    public byte[] expected() {
        return expected.clone();
    }

    /** The root the proof leads to. */
    public byte[] calculated() {
        return calculated.clone();
    }
}
