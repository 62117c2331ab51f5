package io.countersign.proxy.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A real PostgreSQL as the proxy's upstream (one per test class: it is the heavy part): user {@code app} logs in with SCRAM-SHA-256 and a
 * random password, and every statement that arrives is logged ({@code log_statement = all}) to a
 * file the tests read.
 */
public final class Upstreams implements AutoCloseable {
    public final EmbeddedPostgres server;
    public final String password;
    final Path log;

    public Upstreams(Path directory) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        password = "upstream-" + HexFormat.of().formatHex(random);
        Path logs = directory.resolve("logs");
        log = logs.resolve("postgresql.log");
        try {
            Files.createDirectories(logs);
            server = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("log_statement", "all")
                    .setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", logs.toString())
                    .setServerConfig("log_filename", "postgresql.log")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting the embedded PostgreSQL failed", e);
        }
        try (Connection admin = server.getPostgresDatabase().getConnection();
                Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE app LOGIN PASSWORD '" + password + "'");
            sql.execute("CREATE DATABASE app OWNER app");
            String hba =
                    "host all app 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n";
            java.sql.ResultSet file = sql.executeQuery("SHOW hba_file");
            file.next();
            Files.writeString(Path.of(file.getString(1)), hba);
            sql.execute("SELECT pg_reload_conf()");
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("preparing the upstream failed", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** A direct connection as the gateway's upstream user, with its password. */
    public Connection direct() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/app", "app", password);
    }

    /** Whether the upstream's statement log has {@code text}, after making sure the log caught up (a marker statement run directly shows up). */
    public boolean logged(String text) throws Exception {
        String marker = "log-marker-" + System.nanoTime();
        try (Connection direct = direct();
                Statement sql = direct.createStatement()) {
            sql.execute("SELECT '" + marker + "'");
        }
        Instant until = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(until)) {
            String content = Files.exists(log) ? Files.readString(log) : "";
            if (content.contains(marker)) {
                return content.contains(text);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the upstream's log never showed the marker " + marker);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** A text file from the test resources (the shared test policy). */
    public static String resource(String name) {
        try (java.io.InputStream in = Upstreams.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the tables the tests work on, afresh: orders (3 rows), events (100), secrets, drafts. */
    public void resetTables() throws SQLException {
        try (Connection direct = direct();
                Statement sql = direct.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS orders, events, secrets, drafts");
            sql.execute("CREATE TABLE orders (id int PRIMARY KEY, item text)");
            sql.execute("INSERT INTO orders VALUES (1, 'apples'), (2, 'pears'), (3, 'plums')");
            sql.execute("CREATE TABLE events (id serial PRIMARY KEY, what text)");
            sql.execute("INSERT INTO events (what) SELECT 'event ' || g FROM generate_series(1, 100) g");
            sql.execute("CREATE TABLE secrets (name text, value text)");
            sql.execute("INSERT INTO secrets VALUES ('root', 'hunter2')");
            sql.execute("CREATE TABLE drafts (id int)");
            sql.execute("INSERT INTO drafts VALUES (1)");
        }
    }
}
