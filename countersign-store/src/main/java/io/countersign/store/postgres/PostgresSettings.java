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
            throw new IllegalArgumentException("database url '" + describe(url) + "' is not a PostgreSQL JDBC URL; want jdbc:postgresql://host:port/database");
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

    /** A connection outside the pool, for the listener and the signer lock, which keep theirs for long. */
    Connection connect() throws SQLException {
        return connect(new Properties());
    }

    /**
     * For the writer: a statement that fails (a constraint) rolls back to a savepoint the driver
     * takes just before it, not the whole transaction, so the work may catch the error and go on.
     */
    Connection connectForWrites() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("autosave", "always");
        properties.setProperty("cleanupSavepoints", "true");
        return connect(properties);
    }

    private Connection connect(Properties properties) throws SQLException {
        user.ifPresent(value -> properties.setProperty("user", value));
        password.ifPresent(value -> properties.setProperty("password", value));
        // Dead peers are noticed by the operating system instead of hanging forever.
        properties.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(url, properties);
    }

    @Override
    public String toString() {
        return "PostgresSettings[" + describe() + ", user=" + user.orElse("(from url)") + ", poolSize=" + poolSize + "]";
    }

    private static String describe(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
