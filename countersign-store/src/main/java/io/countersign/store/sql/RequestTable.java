package io.countersign.store.sql;

import io.countersign.store.StoreException;
import io.countersign.store.internal.RequestCodec;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The SQL of the {@code requests} and {@code votes} tables, on a connection the caller owns. */
public final class RequestTable {
    private static final String PENDING = RequestStatus.PENDING.wireName();

    private final RequestCodec codec;

    public RequestTable(RequestCodec codec) {
        this.codec = codec;
    }

    public Optional<ApprovalRequest> find(Connection connection, RequestId id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT document FROM requests WHERE id = ?")) {
            select.setString(1, id.value());
            return decodeAll(select).stream().findFirst();
        }
    }

    public Optional<ApprovalRequest> findByIdempotencyKey(Connection connection, String agent, String key)
            throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT document FROM requests WHERE agent = ? AND idempotency_key = ?")) {
            select.setString(1, agent);
            select.setString(2, key);
            return decodeAll(select).stream().findFirst();
        }
    }

    public List<ApprovalRequest> findPending(Connection connection) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT document FROM requests WHERE status = ? ORDER BY created_at, id")) {
            select.setString(1, PENDING);
            List<ApprovalRequest> pending = decodeAll(select);
            // The column has whole milliseconds; the exact order within one comes from the document.
            pending.sort(Comparator.comparing(ApprovalRequest::createdAt)
                    .thenComparing(request -> request.id().value()));
            return pending;
        }
    }

    public List<ApprovalRequest> findExpired(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT document FROM requests WHERE status = ? AND expires_at <= ? ORDER BY expires_at, id")) {
            select.setString(1, PENDING);
            // The column holds whole milliseconds (floored), so it selects a superset: an expiry
            // later in the same millisecond as now also matches. The exact test is the filter below.
            select.setLong(2, now.toEpochMilli());
            List<ApprovalRequest> candidates = decodeAll(select);
            candidates.removeIf(request -> request.expiresAt().orElseThrow().isAfter(now));
            candidates.sort(Comparator.comparing(
                            (ApprovalRequest request) -> request.expiresAt().orElseThrow())
                    .thenComparing(request -> request.id().value()));
            return candidates;
        }
    }

    /** Requests created in [from, to), oldest first: the decision history that insights and replay read. */
    public List<ApprovalRequest> findCreatedBetween(Connection connection, Instant from, Instant to)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT document FROM requests WHERE created_at >= ? AND created_at <= ? ORDER BY created_at, id")) {
            // The column holds whole milliseconds (floored): select a superset, then filter exactly.
            select.setLong(1, from.toEpochMilli());
            select.setLong(2, to.toEpochMilli());
            List<ApprovalRequest> found = decodeAll(select);
            found.removeIf(request ->
                    request.createdAt().isBefore(from) || !request.createdAt().isBefore(to));
            found.sort(Comparator.comparing(ApprovalRequest::createdAt)
                    .thenComparing(request -> request.id().value()));
            return found;
        }
    }

    /** Inserts a new request; throws {@link IllegalArgumentException} when its id or idempotency key is taken. */
    public void insert(Connection connection, ApprovalRequest request) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO requests"
                + " (id, agent, status, created_at, expires_at, idempotency_key, document, on_behalf_of, on_behalf_of_person)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, request.id().value());
            insert.setString(2, request.agent().name());
            insert.setString(3, request.status().wireName());
            insert.setLong(4, request.createdAt().toEpochMilli());
            setExpiry(insert, 5, request);
            insert.setString(6, request.idempotencyKey().orElse(null));
            insert.setString(7, codec.write(request));
            insert.setString(8, request.action().onBehalfOf().orElse(null));
            insert.setString(
                    9,
                    request.resolvedOnBehalfOf()
                            .map(person -> person.id().value())
                            .orElse(null));
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!SqlErrors.isConstraintViolation(e)) {
                throw e;
            }
            throw duplicate(connection, request, e);
        }
        insertVotes(connection, request, 0);
    }

    /**
     * Replaces a stored request with a later state of itself: same agent, action, creation time and
     * idempotency key, and the stored votes unchanged at the head of the new list.
     */
    public void update(Connection connection, ApprovalRequest request) throws SQLException {
        ApprovalRequest stored = find(connection, request.id())
                .orElseThrow(() -> new IllegalArgumentException(
                        "request " + request.id() + " does not exist, so it can't be updated; insert it first"));
        requireLaterStateOf(stored, request);
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE requests SET status = ?, expires_at = ?, document = ? WHERE id = ?")) {
            update.setString(1, request.status().wireName());
            setExpiry(update, 2, request);
            update.setString(3, codec.write(request));
            update.setString(4, request.id().value());
            update.executeUpdate();
        }
        insertVotes(connection, request, stored.votes().size());
    }

    private void insertVotes(Connection connection, ApprovalRequest request, int from) throws SQLException {
        List<Vote> votes = request.votes();
        if (from == votes.size()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO votes (request_id, position, voter, choice, voted_at) VALUES (?, ?, ?, ?, ?)")) {
            for (int position = from; position < votes.size(); position++) {
                Vote vote = votes.get(position);
                insert.setString(1, request.id().value());
                insert.setInt(2, position);
                insert.setString(3, vote.voter());
                insert.setString(4, vote.choice().wireName());
                insert.setLong(5, vote.time().toEpochMilli());
                try {
                    insert.executeUpdate();
                } catch (SQLException e) {
                    if (!SqlErrors.isConstraintViolation(e)) {
                        throw e;
                    }
                    throw new IllegalArgumentException(
                            "request " + request.id() + ": '" + vote.voter()
                                    + "' has already voted on it; one vote per person",
                            e);
                }
            }
        }
    }

    private static void requireLaterStateOf(ApprovalRequest stored, ApprovalRequest next) {
        requireUnchanged(next, "agent", stored.agent().name(), next.agent().name());
        requireUnchanged(next, "action digest", stored.digest(), next.digest());
        requireUnchanged(next, "creation time", stored.createdAt(), next.createdAt());
        requireUnchanged(next, "idempotency key", stored.idempotencyKey(), next.idempotencyKey());
        List<Vote> before = stored.votes();
        List<Vote> after = next.votes();
        if (after.size() < before.size() || !after.subList(0, before.size()).equals(before)) {
            throw new IllegalArgumentException("request " + next.id() + ": the update has " + after.size()
                    + " vote(s) that don't begin with the " + before.size() + " stored; votes are only ever added");
        }
    }

    private static void requireUnchanged(ApprovalRequest next, String what, Object stored, Object updated) {
        if (!Objects.equals(stored, updated)) {
            throw new IllegalArgumentException("request " + next.id() + ": the update changes its " + what + " from "
                    + stored + " to " + updated + "; an update must be a later state of the same request");
        }
    }

    private IllegalArgumentException duplicate(Connection connection, ApprovalRequest request, SQLException cause)
            throws SQLException {
        if (exists(
                connection, "SELECT 1 FROM requests WHERE id = ?", request.id().value())) {
            return new IllegalArgumentException("request " + request.id() + " already exists", cause);
        }
        String key = request.idempotencyKey().orElse(null);
        if (key != null) {
            Optional<String> other = idOf(connection, request.agent().name(), key);
            if (other.isPresent()) {
                return new IllegalArgumentException(
                        "agent '" + request.agent().name() + "' already has request " + other.get()
                                + " with idempotency key '" + key + "'",
                        cause);
            }
        }
        return new IllegalArgumentException(
                "request " + request.id() + " violates a constraint: " + cause.getMessage(), cause);
    }

    private static boolean exists(Connection connection, String sql, String value) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, value);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static Optional<String> idOf(Connection connection, String agent, String key) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT id FROM requests WHERE agent = ? AND idempotency_key = ?")) {
            select.setString(1, agent);
            select.setString(2, key);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    private static void setExpiry(PreparedStatement statement, int index, ApprovalRequest request) throws SQLException {
        // Only a pending request expires; the column is what findExpired and its index look at.
        Optional<Instant> expiry = request.isPending() ? request.expiresAt() : Optional.empty();
        if (expiry.isPresent()) {
            statement.setLong(index, expiry.get().toEpochMilli());
        } else {
            statement.setNull(index, Types.BIGINT);
        }
    }

    private List<ApprovalRequest> decodeAll(PreparedStatement select) throws SQLException {
        List<ApprovalRequest> requests = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                requests.add(decode(rows.getString(1)));
            }
        }
        return requests;
    }

    private ApprovalRequest decode(String document) {
        try {
            return codec.read(document);
        } catch (IllegalArgumentException e) {
            String start = document.length() > 60 ? document.substring(0, 60) + "..." : document;
            throw new StoreException("a stored request is unreadable (" + e.getMessage() + "): " + start, e);
        }
    }
}
