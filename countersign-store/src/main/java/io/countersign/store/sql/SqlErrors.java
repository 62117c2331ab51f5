package io.countersign.store.sql;

import io.countersign.store.StoreException;
import io.countersign.store.StoreUnavailableException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** What an SQL error means, in the dialects the store speaks. */
public final class SqlErrors {
    private static final int SQLITE_CONSTRAINT = 19;
    /**
     * PostgreSQL states that say the server is away or out of time, not that the statement is
     * wrong: admin/crash shutdown, cannot connect now, too many connections, lock not available,
     * statement cancelled (statement_timeout), idle-in-transaction and idle-session timeouts.
     */
    private static final Set<String> UNAVAILABLE_STATES =
            Set.of("57P01", "57P02", "57P03", "57P05", "53300", "55P03", "57014", "25P03");

    private SqlErrors() {}

    /**
     * Whether the statement broke a constraint (a key or a unique index): the caller's input was
     * refused, the database is fine.
     */
    public static boolean isConstraintViolation(SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("23")) {
            return true; // PostgreSQL: class 23, integrity constraint violation
        }
        // sqlite-jdbc puts the (possibly extended) result code in getErrorCode(); the low byte is the primary code.
        return (e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT;
    }

    /**
     * Whether the database was unreachable or ran out of time rather than refusing the statement:
     * a connection error (class 08, or the pool's timeout), one of {@link #UNAVAILABLE_STATES},
     * or an I/O error underneath.
     */
    public static boolean isUnavailable(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof SQLRecoverableException
                    || cause instanceof IOException) {
                return true;
            }
            if (cause instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || UNAVAILABLE_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** The store's exception for a failed {@code operation}: {@link StoreUnavailableException} when the database was away. */
    public static StoreException failed(String operation, SQLException e) {
        String message = operation + " failed: " + e.getMessage();
        return isUnavailable(e) ? new StoreUnavailableException(message, e) : new StoreException(message, e);
    }
}
