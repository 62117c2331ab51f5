package io.countersign.store.sql;

import io.countersign.insights.Dismissal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of the {@code insight_dismissals} table, the same for both dialects. */
public final class DismissalTable {
    private DismissalTable() {}

    /** Every dismissal and snooze, current or over, by item. */
    public static List<Dismissal> list(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT item, reason, dismissed_by, dismissed_at, until FROM insight_dismissals ORDER BY item");
                ResultSet rows = select.executeQuery()) {
            List<Dismissal> all = new ArrayList<>();
            while (rows.next()) {
                all.add(new Dismissal(
                        rows.getString("item"),
                        rows.getString("reason"),
                        rows.getString("dismissed_by"),
                        Instant.parse(rows.getString("dismissed_at")),
                        Optional.ofNullable(rows.getString("until")).map(Instant::parse)));
            }
            return all;
        }
    }

    /** Replaces the item's dismissal: the latest word on an item is the one that holds. */
    public static void put(Connection connection, Dismissal dismissal) throws SQLException {
        restore(connection, dismissal.item());
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO insight_dismissals (item, reason, dismissed_by, dismissed_at, until) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, dismissal.item());
            insert.setString(2, dismissal.reason());
            insert.setString(3, dismissal.by());
            insert.setString(4, dismissal.at().toString());
            insert.setString(5, dismissal.until().map(Instant::toString).orElse(null));
            insert.executeUpdate();
        }
    }

    /** False when the item had no dismissal. */
    public static boolean restore(Connection connection, String item) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM insight_dismissals WHERE item = ?")) {
            delete.setString(1, item);
            return delete.executeUpdate() == 1;
        }
    }
}
