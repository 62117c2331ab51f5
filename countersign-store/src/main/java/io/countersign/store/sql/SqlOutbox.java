package io.countersign.store.sql;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.Outbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outbox over {@link OutboxTable}, for either store: writes go where the store says writes go
 * (SQLite's one writer thread, a PostgreSQL pool connection), reads go to a reader.
 */
public final class SqlOutbox implements Outbox {

    /** Runs SQL as one durable write, or as a read; the store names the operation in its errors. */
    public interface Runner {
        <T> T write(String operation, SqlCall<T> call);

        <T> T read(String operation, SqlCall<T> call);
    }

    private final Runner runner;
    private final OutboxTable table;

    public SqlOutbox(Runner runner, OutboxTable table) {
        this.runner = requireNonNull(runner, "runner is null");
        this.table = requireNonNull(table, "table is null");
    }

    @Override
    public List<Delivery> claim(Instant now, int limit, Duration lease) {
        requireNonNull(now, "now is null");
        requireNonNull(lease, "lease is null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit is " + limit + ", want at least 1");
        }
        if (!runner.read("look for due outbox deliveries", connection -> table.anyDue(connection, now))) {
            return List.of();
        }
        return runner.write("claim outbox deliveries", connection -> table.claim(connection, now, limit, lease));
    }

    @Override
    public void delivered(long id, Instant at) {
        requireNonNull(at, "at is null");
        runner.write(
                "mark outbox delivery " + id + " delivered",
                SqlCall.effect(connection -> table.delivered(connection, id, at)));
    }

    @Override
    public void failed(long id, String error, Instant nextAttemptAt, boolean giveUp) {
        requireNonNull(error, "error is null");
        requireNonNull(nextAttemptAt, "nextAttemptAt is null");
        runner.write(
                "record the failure of outbox delivery " + id,
                SqlCall.effect(connection -> table.failed(connection, id, error, nextAttemptAt, giveUp)));
    }

    @Override
    public List<Delivery> list(Delivery.Status status, int limit) {
        requireNonNull(status, "status is null");
        return runner.read(
                "list " + status.wireName() + " outbox deliveries",
                connection -> table.list(connection, status, limit));
    }

    @Override
    public boolean retry(long id, Instant now) {
        requireNonNull(now, "now is null");
        return runner.write("retry outbox delivery " + id, connection -> table.retry(connection, id, now));
    }

    @Override
    public Map<Delivery.Status, Long> counts() {
        return runner.read("count outbox deliveries", table::counts);
    }

    @Override
    public Optional<String> messageRef(String request, String channel) {
        requireNonNull(request, "request is null");
        requireNonNull(channel, "channel is null");
        return runner.read(
                "find the " + channel + " message of request " + request,
                connection -> table.messageRef(connection, request, channel));
    }

    @Override
    public void rememberMessageRef(String request, String channel, String ref) {
        requireNonNull(request, "request is null");
        requireNonNull(channel, "channel is null");
        requireNonNull(ref, "ref is null");
        runner.write(
                "remember the " + channel + " message of request " + request,
                SqlCall.effect(connection -> table.rememberMessageRef(connection, request, channel, ref)));
    }
}
