package io.countersign.store.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** Some SQL run on a connection someone else owns: the writer's or a pooled reader's. */
@FunctionalInterface
public interface SqlCall<T> {
    T run(Connection connection) throws SQLException;
}
