package io.countersign.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.store.StoreUnavailableException;
import io.countersign.store.sql.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The server-side limits that keep a frozen node from holding a lock the others wait for: the
 * database ends a writer's idle transaction and a signer's idle session, and frees their locks,
 * without any help from the node.
 */
class PostgresSessionBoundsTest {

    @Test
    void writerThatStopsInsideItsTransaction_losesTheAuditLock_andTheNextWriterGetsIt() throws Exception {
        PostgresSettings settings = PostgresSettings.of(TestPostgres.newDatabase());
        try (Connection frozen = settings.connectForWrites();
                Connection next = settings.connectForWrites()) {
            frozen.setAutoCommit(false);
            lock(frozen);
            // 'frozen' now says nothing, as a stopped process would; 'next' waits for the lock (lock_timeout 3 s)
            // and gets it once the server ended the idle transaction (2 s).
            next.setAutoCommit(false);
            lock(next);
            next.commit();
            assertThatThrownBy(() -> lock(frozen))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(SqlErrors.isUnavailable((SQLException) e))
                            .as("a lost session is 'unavailable'")
                            .isTrue());
        }
    }

    @Test
    void signerThatStopsTalking_losesTheSignerLock_andAStoreTakesIt() throws Exception {
        String url = TestPostgres.newDatabase();
        PostgresSettings settings = PostgresSettings.of(url);
        try (PostgresStore store = PostgresStore.open(settings);
                Connection frozen = settings.connectForSigner()) {
            try (PreparedStatement lock = frozen.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                lock.setLong(1, PostgresStore.SIGNER_LOCK);
                try (java.sql.ResultSet rows = lock.executeQuery()) {
                    rows.next();
                    assertThat(rows.getBoolean(1)).isTrue();
                }
            }
            assertThat(store.audit().isSigner())
                    .as("the lock is held by the silent session")
                    .isFalse();
            // 'frozen' says nothing from now on, as a stopped process would: its session ends after 1.5 s idle.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!store.audit().isSigner() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(store.audit().isSigner()).as("the store took the lock").isTrue();
            assertThat(frozen.isValid(1))
                    .as("the silent session was ended by the server")
                    .isFalse();
        }
    }

    @Test
    void afterEveryOneOfItsSessionsWasEnded_asByARestart_theFirstWriteAndReadSucceed() throws Exception {
        String url = TestPostgres.newDatabase();
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(url))) {
            int first = store.transact(tx -> 1); // the writer has its connection now
            assertThat(first).isEqualTo(1);
            assertThat(store.reachable()).isTrue();
            try (Connection admin = TestPostgres.server().getPostgresDatabase().getConnection();
                    PreparedStatement terminate = admin.prepareStatement(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                terminate.setString(1, url.substring(url.lastIndexOf('/') + 1));
                terminate.execute();
            }
            Thread.sleep(600); // past the pool's half second without validation
            int afterRestart = store.transact(tx -> 2);
            assertThat(afterRestart)
                    .as("the writer's first batch on its broken connection")
                    .isEqualTo(2);
            assertThat(store.auditSize()).isZero();
        }
    }

    @Test
    void connectionErrorsAndTimeouts_areUnavailable_constraintViolationsAreNot() {
        assertThat(SqlErrors.failed("read", new SQLException("Connection refused", "08001")))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(SqlErrors.failed(
                        "read", new SQLException("terminating connection due to administrator command", "57P01")))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(SqlErrors.failed("lock", new SQLException("canceling statement due to lock timeout", "55P03")))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(SqlErrors.failed("insert", new SQLException("duplicate key", "23505")))
                .isNotInstanceOf(StoreUnavailableException.class);
    }

    private static void lock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, PostgresStore.AUDIT_LOCK);
            lock.execute();
        }
    }
}
