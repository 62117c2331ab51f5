package io.countersign.store;

/**
 * The database could not be reached or did not answer in time: a lost or refused connection, a
 * server shutting down or restarting, a lock or statement that ran out of its time. Nothing is
 * wrong with the caller's input and trying again later may well succeed, which is why the API
 * answers it with 503 and {@code Retry-After} rather than 500.
 *
 * <p>As with any {@link StoreException}, a write that fails with it was not acknowledged; one
 * that failed during COMMIT may or may not have been kept, so a retry should carry the same
 * idempotency key.
 */
public final class StoreUnavailableException extends StoreException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
