package io.countersign.store.sql;

import java.sql.SQLException;

/** What an SQL error means, in the dialects the store speaks. */
public final class SqlErrors {
    private static final int SQLITE_CONSTRAINT = 19;

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
}
