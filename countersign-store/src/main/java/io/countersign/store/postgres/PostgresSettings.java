package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the shared database is: a {@code jdbc:postgresql://} URL, and the user and password when
 * the URL doesn't carry them. {@link #toString()} never shows the password.
 */
public record PostgresSettings(String url, Optional<String> user, Optional<String> password, int poolSize) {
    public static final int DEFAULT_POOL_SIZE = 10;

    public PostgresSettings {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database url '" + describe(url)
                    + "' is not a PostgreSQL JDBC URL; want jdbc:postgresql://host:port/database");
        }
        if (poolSize < 2) {
            throw new IllegalArgumentException("database pool size is " + poolSize + ", want at least 2");
        }
    }

    public static PostgresSettings of(String url) {
        return new PostgresSettings(url, Optional.empty(), Optional.empty(), DEFAULT_POOL_SIZE);
    }

    /** The URL without its query (which may hold a password), for messages. */
    public String describe() {
        return describe(url);
    }

    /**
     * The server-side bounds of a connection: how long a statement may run, a lock may be waited
     * for, a transaction may sit idle and (for the signer) a session may sit idle, after which
     * the server cancels the statement or ends the session and frees its locks. They are what
     * keeps one frozen or cut-off node from holding a lock the other nodes wait for (see
     * docs/scale-out.md). Keepalives let the server notice a peer that vanished from the network.
     */
    record SessionBounds(
            int statementMillis,
            int lockMillis,
            int idleInTransactionMillis,
            int idleSessionMillis,
            int socketSeconds) {
        /** The writer: holds the audit lock for one batch, which takes milliseconds. */
        static final SessionBounds WRITER = new SessionBounds(3_000, 3_000, 2_000, 0, 5);
        /** The signer's lock connection: idle between the checkpointer's checks, which come every quarter of a second. */
        static final SessionBounds SIGNER = new SessionBounds(2_000, 1_000, 1_000, 1_500, 3);
        /** Pooled reads and single-statement writes; exports stream in chunks inside one read transaction. */
        static final SessionBounds POOL = new SessionBounds(30_000, 2_000, 60_000, 0, 40);
        /** The listener (idle in LISTEN for long) and the one-off migration: no idle limit. */
        static final SessionBounds LONG_LIVED = new SessionBounds(0, 0, 0, 0, 0);

        /** The pgJDBC {@code options}: settings the server applies at the start of the session. */
        String options() {
            StringBuilder options = new StringBuilder("-c synchronous_commit=on");
            // A peer that is gone from the network is noticed in about 4 s, not the 2 h of the kernel's default.
            options.append(
                    " -c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=2 -c tcp_user_timeout=4000");
            options.append(" -c statement_timeout=").append(statementMillis);
            options.append(" -c lock_timeout=").append(lockMillis);
            options.append(" -c idle_in_transaction_session_timeout=").append(idleInTransactionMillis);
            options.append(" -c idle_session_timeout=").append(idleSessionMillis);
            return options.toString();
        }

        Properties properties() {
            Properties properties = new Properties();
            properties.setProperty("options", options());
            properties.setProperty("tcpKeepAlive", "true");
            properties.setProperty("connectTimeout", "2");
            properties.setProperty("socketTimeout", Integer.toString(socketSeconds));
            return properties;
        }
    }

    /** A connection outside the pool, for the listener and the migration, which keep theirs for long. */
    Connection connect() throws SQLException {
        return connect(SessionBounds.LONG_LIVED.properties());
    }

    /** The connection that holds the signer lock: its session ends, and frees the lock, once idle for 1.5 s. */
    Connection connectForSigner() throws SQLException {
        return connect(SessionBounds.SIGNER.properties());
    }

    /**
     * For the writer: a statement that fails (a constraint) rolls back to a savepoint the driver
     * takes just before it, not the whole transaction, so the work may catch the error and go on.
     */
    Connection connectForWrites() throws SQLException {
        Properties properties = SessionBounds.WRITER.properties();
        properties.setProperty("autosave", "always");
        properties.setProperty("cleanupSavepoints", "true");
        return connect(properties);
    }

    private Connection connect(Properties properties) throws SQLException {
        user.ifPresent(value -> properties.setProperty("user", value));
        password.ifPresent(value -> properties.setProperty("password", value));
        return DriverManager.getConnection(url, properties);
    }

    @Override
    public String toString() {
        return "PostgresSettings[" + describe() + ", user=" + user.orElse("(from url)") + ", poolSize=" + poolSize
                + "]";
    }

    private static String describe(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
