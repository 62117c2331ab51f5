package io.countersign.store.sql;

import io.countersign.breaker.TrippedBreaker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The SQL of the {@code breaker_trips} table, the same for both dialects. Agent names compare without regard to case. */
public final class BreakerTable {
    private static final String COLUMNS = "agent, breaker, tripped_at, trip_count, window_ms, request_id";

    private BreakerTable() {}

    public static Optional<TrippedBreaker> find(Connection connection, String agent, String breaker)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM breaker_trips WHERE agent_key = ? AND breaker = ?")) {
            select.setString(1, key(agent));
            select.setString(2, breaker);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(tripped(rows)) : Optional.empty();
            }
        }
    }

    /** Every tripped breaker, oldest trip first. */
    public static List<TrippedBreaker> list(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT " + COLUMNS + " FROM breaker_trips ORDER BY tripped_at, agent_key, breaker");
                ResultSet rows = select.executeQuery()) {
            List<TrippedBreaker> all = new ArrayList<>();
            while (rows.next()) {
                all.add(tripped(rows));
            }
            return all;
        }
    }

    /** False, changing nothing, when the breaker is already tripped for the agent. */
    public static boolean trip(Connection connection, TrippedBreaker tripped) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO breaker_trips (agent_key, " + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent_key, breaker) DO NOTHING")) {
            insert.setString(1, key(tripped.agent()));
            insert.setString(2, tripped.agent());
            insert.setString(3, tripped.breaker());
            insert.setString(4, tripped.trippedAt().toString());
            insert.setInt(5, tripped.count());
            insert.setLong(6, tripped.window().toMillis());
            insert.setString(7, tripped.requestId().orElse(null));
            return insert.executeUpdate() == 1;
        }
    }

    /** Deletes the trip and returns it; empty when there was none. */
    public static Optional<TrippedBreaker> reset(Connection connection, String agent, String breaker)
            throws SQLException {
        Optional<TrippedBreaker> tripped = find(connection, agent, breaker);
        if (tripped.isPresent()) {
            try (PreparedStatement delete =
                    connection.prepareStatement("DELETE FROM breaker_trips WHERE agent_key = ? AND breaker = ?")) {
                delete.setString(1, key(agent));
                delete.setString(2, breaker);
                if (delete.executeUpdate() != 1) {
                    // Both run in one transaction of the writer that holds the write lock: a row seen and then gone is
                    // a bug.
                    throw new IllegalStateException("bug: the trip of breaker '" + breaker + "' for agent " + agent
                            + " vanished inside a transaction");
                }
            }
        }
        return tripped;
    }

    private static TrippedBreaker tripped(ResultSet rows) throws SQLException {
        return new TrippedBreaker(
                rows.getString("agent"),
                rows.getString("breaker"),
                Instant.parse(rows.getString("tripped_at")),
                rows.getInt("trip_count"),
                Duration.ofMillis(rows.getLong("window_ms")),
                Optional.ofNullable(rows.getString("request_id")));
    }

    private static String key(String agent) {
        return agent.toLowerCase(Locale.ROOT);
    }
}
