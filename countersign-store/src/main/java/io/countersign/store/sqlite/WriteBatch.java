package io.countersign.store.sqlite;

import io.countersign.store.StoreException;
import io.countersign.store.sql.AuditTree;
import io.countersign.store.sql.SqlCall;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteErrorCode;

/**
 * The state of the batch the writer thread is running: its connection, the next audit sequence
 * number, and whether an error may have ended the SQLite transaction under it. Used by the writer
 * thread only, so nothing here needs a lock.
 */
final class WriteBatch {
    private final Connection connection;
    private final Thread writer;
    private final AuditTree tree;
    private long nextSeq;
    private @Nullable SQLException fatal;

    WriteBatch(Connection connection, Thread writer, long nextSeq, AuditTree tree) {
        this.connection = connection;
        this.writer = writer;
        this.nextSeq = nextSeq;
        this.tree = tree;
    }

    boolean isWriterThread() {
        return Thread.currentThread() == writer;
    }

    /** The sequence number the next appended audit entry gets. */
    long nextSeq() {
        return nextSeq;
    }

    /** The entry {@link #nextSeq()} was inserted with these leaf bytes: the Merkle tree takes it, the number is used. */
    void appended(byte[] leaf) {
        tree.appended(nextSeq, leaf);
        nextSeq++;
    }

    /** Gives back the numbers a rolled-back savepoint took, so the log keeps no gaps, and their leaves. */
    void resetSeq(long seq) {
        nextSeq = seq;
        tree.discardFrom(seq);
    }

    /**
     * Runs one piece of SQL for a transaction. A constraint violation only undoes its statement,
     * so the work may go on. Any other error (I/O, disk full, out of memory) may have made SQLite
     * roll back the whole transaction by itself; from then on each further statement would run in
     * autocommit mode and be kept on its own, a partial write. So the batch is marked failed, every
     * later statement in it is refused, and the writer rolls the batch back.
     */
    <T> T sql(String operation, SqlCall<T> call) {
        if (fatal != null) {
            throw new StoreException(
                    operation + " refused: an earlier error ended this batch's transaction: " + fatal.getMessage(),
                    fatal);
        }
        try {
            return call.run(connection);
        } catch (SQLException e) {
            if (!isConstraintViolation(e)) {
                markFatal(e);
            }
            throw new StoreException(operation + " failed: " + e.getMessage(), e);
        }
    }

    void markFatal(SQLException e) {
        if (fatal == null) {
            fatal = e;
        }
    }

    /** The first error that may have ended the transaction, or null while it is intact. */
    @Nullable
    SQLException fatal() {
        return fatal;
    }

    Connection connection() {
        return connection;
    }

    static boolean isConstraintViolation(SQLException e) {
        // sqlite-jdbc puts the (possibly extended) result code in getErrorCode(); the low byte is the primary code.
        return (e.getErrorCode() & 0xff) == SQLiteErrorCode.SQLITE_CONSTRAINT.code;
    }
}
