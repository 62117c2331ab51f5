package io.countersign.store.sql;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The credentials and suspensions a store has read, kept for as long as the database's change
 * counter ({@link CredentialTable#changes}) stays where it was when they were read. Every lookup
 * reads the counter first (one row by primary key, no JSON); a different value starts a new,
 * empty generation, so a revocation, suspension or group change committed by anyone (another
 * node, the command line on the same file) counts from the very next lookup after its commit.
 *
 * <p>Why a lookup reads the counter before the row: what it then reads is at least as new as the
 * counter it read, so a generation never holds a row older than its counter. A row newer than
 * the counter is harmless: the change that made it also moved the counter, which retires the
 * generation on the next lookup.
 *
 * <p>Credentials are kept by token id, the public half of a key, never by anything secret; the
 * secret's hash is still compared (in constant time) by {@code ApiTokens} on every request, and
 * expiry by time is checked there against the clock. Only credentials that exist are kept, so
 * the cache holds at most the rows of the table. {@link StoredCredential#lastUsedAt()} of a kept
 * credential may lag: recording a use doesn't move the counter ({@code list()} reads the table).
 */
final class CredentialCache {
    /** What was read while the counter stood at {@code version}. */
    private record Generation(
            long version,
            ConcurrentMap<String, StoredCredential> credentials,
            AtomicReference<@Nullable Map<String, Suspension>> suspensions) {
        Generation(long version) {
            this(version, new ConcurrentHashMap<>(), new AtomicReference<>());
        }
    }

    private final CredentialTable table;
    private volatile Generation current = new Generation(Long.MIN_VALUE);

    CredentialCache(CredentialTable table) {
        this.table = requireNonNull(table, "table is null");
    }

    Optional<StoredCredential> credential(Connection connection, String tokenId) throws SQLException {
        Generation generation = at(table.changes(connection));
        StoredCredential kept = generation.credentials().get(tokenId);
        if (kept != null) {
            return Optional.of(kept);
        }
        Optional<StoredCredential> read = table.findByTokenId(connection, tokenId);
        read.ifPresent(found -> generation.credentials().putIfAbsent(tokenId, found));
        return read;
    }

    /** The suspension of the agent named {@code agent} in any case; all suspensions are read at once, as there are few. */
    Optional<Suspension> suspension(Connection connection, String agent) throws SQLException {
        Generation generation = at(table.changes(connection));
        Map<String, Suspension> all = generation.suspensions().get();
        if (all == null) {
            Map<String, Suspension> byName = new HashMap<>();
            for (Suspension suspension : table.suspensions(connection)) {
                byName.put(suspension.agent().toLowerCase(Locale.ROOT), suspension);
            }
            all = Map.copyOf(byName);
            generation.suspensions().compareAndSet(null, all);
        }
        return Optional.ofNullable(all.get(agent.toLowerCase(Locale.ROOT)));
    }

    /**
     * The generation of {@code version}. A newer counter replaces the kept generation; an older
     * one (a lookup that read the counter just before another moved it on) gets a generation of
     * its own that nobody keeps, so it can't put old rows back.
     */
    private Generation at(long version) {
        Generation kept = current;
        if (kept.version() == version) {
            return kept; // the path of nearly every request: no lock
        }
        synchronized (this) {
            kept = current;
            if (kept.version() == version) {
                return kept;
            }
            if (kept.version() > version) {
                return new Generation(version);
            }
            current = new Generation(version);
            return current;
        }
    }
}
