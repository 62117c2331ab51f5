package io.countersign.tlog;

/**
 * Base of every failure this library reports when it refuses input: a malformed proof, note,
 * checkpoint or key, or a verification that does not hold. Callers that only need to know
 * "rejected, and why" catch this; callers that need the kind match on the subtype.
 *
 * <p>Not sealed because the subtypes live in the packages of their concepts, and sealing
 * across packages needs a named module.
 */
public abstract class TlogException extends Exception {
    protected TlogException(String message) {
        super(message);
    }

    protected TlogException(String message, Throwable cause) {
        super(message, cause);
    }
}
