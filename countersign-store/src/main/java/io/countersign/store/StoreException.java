package io.countersign.store;

/**
 * A storage operation failed for a reason the caller can't fix: an I/O error, a locked, full or
 * corrupt database, an unreadable stored document. The message names the operation and the
 * values involved; the cause is the driver's exception.
 *
 * <p>When a write fails with this exception, nothing of that write was kept by the running
 * process. The one outcome no database can tell for sure is an I/O error during the commit
 * itself (the disk may or may not have taken it); such a write was never acknowledged either way.
 *
 * <p>{@link StoreUnavailableException} is the kind that passes: the database is away or busy.
 */
public sealed class StoreException extends RuntimeException permits StoreUnavailableException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
