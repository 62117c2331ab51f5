package io.countersign.store.sql;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;

/** Some SQL run on a connection someone else owns: the writer's or a pooled reader's. */
@FunctionalInterface
public interface SqlCall<T> {
    T run(Connection connection) throws SQLException;

    /**
     * SQL run for what it changes, as a call the stores' runners take. The call's result,
     * {@code true}, says only that the SQL ran: a call never returns null.
     */
    static SqlCall<Boolean> effect(Effect effect) {
        requireNonNull(effect, "effect is null");
        return connection -> {
            effect.run(connection);
            return Boolean.TRUE;
        };
    }

    /** SQL run for what it changes; it returns nothing. */
    @FunctionalInterface
    interface Effect {
        void run(Connection connection) throws SQLException;
    }
}
