package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which table column each result column was read from, for masks that name a table: a
 * RowDescription says only the table's OID and the attribute number, so the names are looked up in
 * {@code pg_catalog} on a connection of the gateway's own (the session's connection is busy
 * streaming the result), opened on first need and kept for the session. Every lookup asks the
 * catalog afresh, so a table renamed during the session is seen under its new name. A lookup that
 * fails resolves nothing, and a result with a column it could not name is refused. A relation the
 * session created in a transaction it has not committed is not visible here either: refused too.
 */
final class ColumnCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ColumnCatalog.class);

    /**
     * Where a result column came from: a column of {@code schema.relation}; {@code table} when
     * that relation is a table (ordinary or partitioned), whose values are the column's own, and
     * not a view, a materialized view or a foreign table, whose values come from elsewhere.
     */
    record Source(String schema, String relation, String column, boolean table) {
        Source {
            requireNonNull(schema, "schema is null");
            requireNonNull(relation, "relation is null");
            requireNonNull(column, "column is null");
        }

        @Override
        public String toString() {
            return schema + "." + relation + "." + column;
        }
    }

    /** A table's OID (unsigned) and an attribute number in it. */
    record Key(long table, int attribute) {}

    private final UpstreamLogin login;
    private static final int LOOKUP_TIMEOUT_MILLIS = 10_000;

    private volatile UpstreamLogin.@Nullable Connected connection;
    private volatile boolean closed;

    ColumnCatalog(UpstreamLogin login) {
        this.login = requireNonNull(login, "login is null");
    }

    /** The sources of {@code keys} that the catalog has; a key it lacks, or every key when the lookup fails, is left out. */
    synchronized Map<Key, Source> resolve(Set<Key> keys) {
        if (keys.isEmpty() || closed) {
            return Map.of();
        }
        // Numbers only: nothing the agent wrote reaches this query.
        String pairs = keys.stream()
                .map(key -> "(" + key.table() + "::oid, " + key.attribute() + "::int2)")
                .collect(Collectors.joining(", "));
        String sql = "SELECT a.attrelid::int8, a.attnum, n.nspname, c.relname, a.attname, c.relkind::text"
                + " FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE (a.attrelid, a.attnum) IN (" + pairs + ")";
        try {
            return query(sql);
        } catch (IOException | ProtocolViolation | UpstreamLogin.Refused e) {
            LOG.warn(
                    "postgres proxy: looking up result columns in the catalog failed; refusing the statement: {}",
                    e.getMessage());
            dropConnection();
            return Map.of();
        }
    }

    private Map<Key, Source> query(String sql) throws IOException, ProtocolViolation, UpstreamLogin.Refused {
        UpstreamLogin.Connected upstream = connection;
        if (upstream == null) {
            upstream = login.connect(Map.of("application_name", "countersign-mask-catalog"));
            upstream.socket().setSoTimeout(LOOKUP_TIMEOUT_MILLIS);
            connection = upstream;
        }
        Wire.write(upstream.out(), 'Q', new Wire.Builder().cstring(sql).build());
        upstream.out().flush();
        Map<Key, Source> found = new HashMap<>();
        @Nullable String error = null;
        while (true) {
            Wire.Message message = Wire.read(upstream.in(), Wire.MAX_UPSTREAM_MESSAGE);
            switch (message.kind()) {
                case 'D' -> {
                    Wire.Reader row = new Wire.Reader(message.body());
                    if (row.int16() != 6) {
                        throw new ProtocolViolation("the catalog lookup answered a row without 6 columns");
                    }
                    String[] values = new String[6];
                    for (int i = 0; i < 6; i++) {
                        int length = row.int32();
                        if (length < 0) {
                            throw new ProtocolViolation("the catalog lookup answered a NULL");
                        }
                        values[i] = new String(row.bytes(length), StandardCharsets.UTF_8);
                    }
                    found.put(
                            new Key(Long.parseLong(values[0]), Integer.parseInt(values[1])),
                            new Source(
                                    values[2], values[3], values[4], values[5].equals("r") || values[5].equals("p")));
                }
                case 'E' -> error = Notices.Fields.of(message.body()).message();
                case 'Z' -> {
                    if (error != null) {
                        throw new IOException("the catalog lookup failed: " + error);
                    }
                    return found;
                }
                default -> {
                    // RowDescription, CommandComplete, notices and parameter changes say nothing we need.
                }
            }
        }
    }

    private void dropConnection() {
        UpstreamLogin.Connected upstream = connection;
        connection = null;
        if (upstream != null) {
            try {
                upstream.socket().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** Not synchronized: closing the socket is what ends a lookup that waits on it. */
    @Override
    public void close() {
        closed = true;
        dropConnection();
    }
}
