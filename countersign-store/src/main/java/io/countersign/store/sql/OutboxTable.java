package io.countersign.store.sql;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of the {@code outbox} and {@code channel_messages} tables, the same for both dialects
 * except for how a claim locks: PostgreSQL skips rows other nodes are claiming.
 */
public final class OutboxTable {
    private static final String COLUMNS =
            "id, channel, type, request_id, payload, created_at, status, attempts, next_attempt_at, last_error, delivered_at";
    /** A longer error says no more and fills the table. */
    private static final int MAX_ERROR = 2_000;

    private final boolean skipLocked;

    private OutboxTable(boolean skipLocked) {
        this.skipLocked = skipLocked;
    }

    public static OutboxTable sqlite() {
        return new OutboxTable(false);
    }

    public static OutboxTable postgres() {
        return new OutboxTable(true);
    }

    public static void insert(Connection connection, OutboxEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox"
                        + " (channel, type, request_id, payload, created_at, status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)")) {
            insert.setString(1, event.channel());
            insert.setString(2, event.type().wireName());
            if (event.request().isPresent()) {
                insert.setString(3, event.request().get());
            } else {
                insert.setNull(3, Types.VARCHAR);
            }
            insert.setString(4, event.payload());
            insert.setString(5, event.at().toString());
            insert.setLong(6, event.at().toEpochMilli());
            insert.executeUpdate();
        }
    }

    /** Whether any delivery is due: a read, so that an idle worker's poll takes no write transaction. */
    public boolean anyDue(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                        + " AND (leased_until IS NULL OR leased_until <= ?) LIMIT 1")) {
            select.setLong(1, now.toEpochMilli());
            select.setLong(2, now.toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    /**
     * Leases up to {@code limit} due deliveries, oldest first, skipping any that has a pending
     * predecessor for the same request and channel (so channels see events in order). A failed
     * predecessor (refused by the platform, or out of retries) holds nothing up: the request's later
     * events still reach its approvers, and an admin's retry of the failed one shows the request as it is now.
     */
    public List<Delivery> claim(Connection connection, Instant now, int limit, Duration lease) throws SQLException {
        String due = "SELECT id FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
                + " AND (o.leased_until IS NULL OR o.leased_until <= ?)"
                + " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.request_id = o.request_id AND e.channel = o.channel"
                + " AND e.id < o.id AND e.status = 'pending')"
                + " ORDER BY o.id LIMIT ?" + (skipLocked ? " FOR UPDATE SKIP LOCKED" : "");
        try (PreparedStatement claim = connection.prepareStatement(
                "UPDATE outbox SET leased_until = ? WHERE id IN (" + due + ")" + " RETURNING " + COLUMNS)) {
            long millis = now.toEpochMilli();
            claim.setLong(1, now.plus(lease).toEpochMilli());
            claim.setLong(2, millis);
            claim.setLong(3, millis);
            claim.setInt(4, limit);
            List<Delivery> claimed = read(claim);
            claimed.sort((a, b) -> Long.compare(a.id(), b.id()));
            return claimed;
        }
    }

    public void delivered(Connection connection, long id, Instant at) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, leased_until = NULL WHERE id = ?")) {
            update.setString(1, at.toString());
            update.setLong(2, id);
            update.executeUpdate();
        }
    }

    public void failed(Connection connection, long id, String error, Instant nextAttemptAt, boolean giveUp)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox SET status = ?, attempts = attempts + 1,"
                        + " last_error = ?, next_attempt_at = ?, leased_until = NULL WHERE id = ? AND status = 'pending'")) {
            update.setString(1, giveUp ? "failed" : "pending");
            update.setString(2, error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
            update.setLong(3, nextAttemptAt.toEpochMilli());
            update.setLong(4, id);
            update.executeUpdate();
        }
    }

    public List<Delivery> list(Connection connection, Delivery.Status status, int limit) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?")) {
            select.setString(1, status.wireName());
            select.setInt(2, limit);
            return read(select);
        }
    }

    public boolean retry(Connection connection, long id, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, leased_until = NULL WHERE id = ? AND status = 'failed'")) {
            update.setLong(1, now.toEpochMilli());
            update.setLong(2, id);
            return update.executeUpdate() == 1;
        }
    }

    public Map<Delivery.Status, Long> counts(Connection connection) throws SQLException {
        Map<Delivery.Status, Long> counts = new EnumMap<>(Delivery.Status.class);
        for (Delivery.Status status : Delivery.Status.values()) {
            counts.put(status, 0L);
        }
        try (PreparedStatement select =
                        connection.prepareStatement("SELECT status, count(*) FROM outbox GROUP BY status");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                counts.put(status(rows.getString(1)), rows.getLong(2));
            }
        }
        return counts;
    }

    public Optional<String> messageRef(Connection connection, String request, String channel) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT ref FROM channel_messages WHERE request_id = ? AND channel = ?")) {
            select.setString(1, request);
            select.setString(2, channel);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    public void rememberMessageRef(Connection connection, String request, String channel, String ref)
            throws SQLException {
        try (PreparedStatement upsert =
                connection.prepareStatement("INSERT INTO channel_messages (request_id, channel, ref) VALUES (?, ?, ?)"
                        + " ON CONFLICT (request_id, channel) DO UPDATE SET ref = excluded.ref")) {
            upsert.setString(1, request);
            upsert.setString(2, channel);
            upsert.setString(3, ref);
            upsert.executeUpdate();
        }
    }

    private static List<Delivery> read(PreparedStatement statement) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                OutboxEvent event = new OutboxEvent(
                        rows.getString("channel"),
                        NotificationType.fromWireName(rows.getString("type")),
                        Optional.ofNullable(rows.getString("request_id")),
                        rows.getString("payload"),
                        Instant.parse(rows.getString("created_at")));
                deliveries.add(new Delivery(
                        rows.getLong("id"),
                        event,
                        status(rows.getString("status")),
                        rows.getInt("attempts"),
                        Instant.ofEpochMilli(rows.getLong("next_attempt_at")),
                        Optional.ofNullable(rows.getString("last_error")),
                        Optional.ofNullable(rows.getString("delivered_at")).map(Instant::parse)));
            }
        }
        return deliveries;
    }

    private static Delivery.Status status(String wireName) {
        return Delivery.Status.valueOf(wireName.toUpperCase(java.util.Locale.ROOT));
    }
}
