package io.countersign.store.sqlite;

import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.pending;
import static io.countersign.store.sqlite.WriterBlocker.onOwnThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.audit.AuditEntry;
import io.countersign.store.Requests;
import io.countersign.store.StoreContractTest;
import io.countersign.store.StoreException;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Store;
import io.countersign.workflow.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SqliteStoreTest extends StoreContractTest {

    @Override
    protected Store newStore(Path dir) {
        return SqliteStore.open(dir);
    }

    @Override
    protected long auditSize(Store store) {
        return ((SqliteStore) store).auditSize();
    }

    @Override
    protected List<byte[]> auditLeaves(Store store, long start, long end) {
        return ((SqliteStore) store).auditLeaves(start, end);
    }

    private SqliteStore sqlite() {
        return (SqliteStore) store;
    }

    @Test
    void open_createsTheDataDirectoryAndTheDatabaseFile() {
        Path nested = dir.resolve("a/b/data");

        try (SqliteStore opened = SqliteStore.open(nested)) {
            assertThat(opened.file()).isEqualTo(nested.resolve("countersign.db").toAbsolutePath());
            assertThat(Files.isRegularFile(opened.file())).isTrue();
        }
    }

    @Test
    void open_onAFile_saysTheDirectoryIsNotOne() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");

        assertThatThrownBy(() -> SqliteStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void writeConnection_isDurableAndChecksForeignKeys() {
        List<Object> pragmas = store.transact(tx -> {
            try (Statement statement = connection(tx).createStatement()) {
                return List.of(
                        pragma(statement, "journal_mode"),
                        pragma(statement, "synchronous"),
                        pragma(statement, "foreign_keys"),
                        pragma(statement, "busy_timeout"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });

        // synchronous 2 is FULL: the WAL is fsynced at every commit.
        assertThat(pragmas).containsExactly("wal", "2", "1", "5000");
    }

    @Test
    void auditEntries_canBeNeitherUpdatedNorDeleted() throws SQLException {
        store.transact(tx -> tx.append(created(pending("bot"))));

        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + sqlite().file());
                Statement statement = raw.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate("UPDATE audit_entries SET type = 'forged'"))
                    .hasMessageContaining("append-only: update refused");
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM audit_entries"))
                    .hasMessageContaining("append-only: delete refused");
        }
        assertThat(sqlite().auditSize()).isEqualTo(1);
    }

    @Test
    @Timeout(10)
    void transact_fromInsideWork_failsAtOnce() {
        assertThatThrownBy(() -> store.transact(tx -> store.transact(inner -> null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would wait for itself");
    }

    @Test
    void transaction_usedAfterItsWorkReturned_isRefused() {
        Transaction kept = store.transact(tx -> tx);

        assertThatThrownBy(() -> store.transact(tx -> kept.find(pending("bot").id())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after its work returned");
    }

    @Test
    void transaction_usedFromAnotherThread_isRefused() {
        assertThatThrownBy(() -> store.transact(tx ->
                        onOwnThread(() -> tx.append(created(pending("bot")))).join()))
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only the work it was given to may use it");
        assertThat(sqlite().auditSize()).isZero();
    }

    @Test
    @Timeout(20)
    void concurrentCallers_shareOneCommit() throws Exception {
        try (WriterBlocker blocker = new WriterBlocker(sqlite())) {
            long before = sqlite().batchesCommitted();
            List<CompletableFuture<Long>> queued = blocker.queue(20, i -> tx -> {
                ApprovalRequest request = pending("bot-" + i);
                tx.insert(request);
                return tx.append(created(request));
            });
            blocker.release();

            for (Future<Long> future : queued) {
                future.get(10, TimeUnit.SECONDS);
            }
            assertThat(sqlite().batchesCommitted() - before)
                    .as("the blocker's batch, then one for the 20 queued")
                    .isEqualTo(2);
        }
        assertThat(sqlite().auditSize()).isEqualTo(20);
    }

    @Test
    @Timeout(20)
    void failingWork_inABatch_leavesItsNeighboursCommitted() throws Exception {
        List<ApprovalRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(pending("bot-" + i));
        }
        List<CompletableFuture<Long>> queued;
        try (WriterBlocker blocker = new WriterBlocker(sqlite())) {
            queued = blocker.queue(10, i -> tx -> {
                tx.insert(requests.get(i));
                long seq = tx.append(created(requests.get(i)));
                if (i % 3 == 1) {
                    throw new IllegalStateException("work " + i + " fails");
                }
                return seq;
            });
            blocker.release();
        }

        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            if (i % 3 == 1) {
                int index = i;
                assertThatThrownBy(() -> queued.get(index).get())
                        .hasCauseInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("work " + i + " fails");
                assertThat(store.find(requests.get(i).id())).isEmpty();
            } else {
                seqs.add(queued.get(i).get());
                assertThat(store.find(requests.get(i).id())).isPresent();
            }
        }
        assertThat(seqs).hasSize(7).doesNotHaveDuplicates().allSatisfy(seq -> assertThat(seq)
                .isBetween(0L, 6L));
        assertThat(sqlite().auditSize()).isEqualTo(7);
    }

    @Test
    @Timeout(20)
    void failedCommit_failsEveryCallerOfTheBatch_andKeepsNothing() throws Exception {
        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + sqlite().file());
                Statement statement = raw.createStatement()) {
            // Checked at COMMIT, not at the statement: the one way to make a commit itself fail on demand.
            statement.execute(
                    "CREATE TABLE commit_breaker (request_id TEXT REFERENCES requests (id) DEFERRABLE INITIALLY DEFERRED)");
        }
        List<ApprovalRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(pending("bot-" + i));
        }
        List<CompletableFuture<Long>> queued;
        try (WriterBlocker blocker = new WriterBlocker(sqlite())) {
            queued = blocker.queue(5, i -> tx -> {
                tx.insert(requests.get(i));
                if (i == 2) {
                    try (Statement statement = connection(tx).createStatement()) {
                        statement.execute("INSERT INTO commit_breaker VALUES ('req_nosuchrequest')");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return tx.append(created(requests.get(i)));
            });
            blocker.release();
        }

        for (int i = 0; i < 5; i++) {
            int index = i;
            assertThatThrownBy(() -> queued.get(index).get())
                    .hasCauseInstanceOf(StoreException.class)
                    .hasMessageContaining("committing a batch of 5 transaction(s)")
                    .hasMessageContaining("none of them was kept");
            assertThat(store.find(requests.get(i).id())).isEmpty();
        }
        assertThat(sqlite().auditSize()).isZero();
        assertThat(store.<Long>transact(tx -> tx.append(created(requests.getFirst()))))
                .as("the failed batch's seqs were given back")
                .isZero();
    }

    @Test
    @Timeout(20)
    void reads_doNotWaitForTheWriter() throws Exception {
        ApprovalRequest request = pending("bot");
        store.transact(tx -> {
            tx.insert(request);
            return null;
        });

        try (WriterBlocker blocker = new WriterBlocker(sqlite())) {
            assertThat(onOwnThread(() -> store.find(request.id())).get(2, TimeUnit.SECONDS))
                    .contains(request);
            assertThat(onOwnThread(() -> sqlite().auditSize()).get(2, TimeUnit.SECONDS))
                    .isZero();
            blocker.release();
        }
    }

    @Test
    @Timeout(20)
    void close_runsTheQueuedWorkFirst() throws Exception {
        List<ApprovalRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(pending("bot-" + i));
        }
        WriterBlocker blocker = new WriterBlocker(sqlite());
        List<CompletableFuture<Long>> queued = blocker.queue(10, i -> tx -> {
            tx.insert(requests.get(i));
            return tx.append(created(requests.get(i)));
        });
        CompletableFuture<Object> closing = onOwnThread(() -> {
            store.close();
            return null;
        });
        Thread.sleep(100);
        assertThat(closing).isNotDone();
        blocker.release();
        closing.get(10, TimeUnit.SECONDS);
        for (Future<Long> future : queued) {
            future.get();
        }

        store = newStore(dir);
        assertThat(requests)
                .allSatisfy(request -> assertThat(store.find(request.id())).isPresent());
        assertThat(sqlite().auditSize()).isEqualTo(10);
    }

    @Test
    void twoStoresOnOneFile_keepTheAuditSeqsConsecutive() {
        try (SqliteStore second = SqliteStore.open(dir)) {
            for (int i = 0; i < 5; i++) {
                assertThat(store.<Long>transact(tx -> tx.append(created(pending("bot")))))
                        .isEqualTo(2L * i);
                assertThat(second.<Long>transact(tx -> tx.append(created(pending("bot")))))
                        .isEqualTo(2L * i + 1);
            }
        }
        assertThat(sqlite().auditSize()).isEqualTo(10);
    }

    @Test
    void auditLeaves_refusesBadRanges() {
        store.transact(tx -> tx.append(created(pending("bot"))));

        assertThatThrownBy(() -> sqlite().auditLeaves(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 0)");
        assertThatThrownBy(() -> sqlite().auditLeaves(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sqlite().auditLeaves(0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the log has 1");
        assertThatThrownBy(() -> sqlite().auditLeaves(0, 10_001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 10000 per read");
        assertThat(sqlite().auditLeaves(1, 1)).isEmpty();
    }

    @Test
    void exportAudit_streamsEveryEntryInOrder() throws IOException {
        List<ApprovalRequest> requests = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ApprovalRequest request = pending("bot", Requests.T0, Duration.ofMinutes(1), Optional.empty());
            requests.add(request);
            store.transact(tx -> tx.append(created(request)));
        }
        List<Long> seqs = new ArrayList<>();
        List<byte[]> leaves = new ArrayList<>();

        sqlite().exportAudit(0, 25, (seq, leaf) -> {
            seqs.add(seq);
            leaves.add(leaf);
        });

        assertThat(seqs).hasSize(25).isSorted();
        for (int i = 0; i < 25; i++) {
            assertThat(leaves.get(i)).isEqualTo(new AuditEntry(i, created(requests.get(i))).leaf());
        }
        IOException broken = new IOException("client went away");
        assertThatThrownBy(() -> sqlite().exportAudit(0, 25, (seq, leaf) -> {
                    throw broken;
                }))
                .isSameAs(broken);
    }

    private static Connection connection(Transaction tx) {
        return ((SqliteTransaction) tx).connection();
    }

    private static String pragma(Statement statement, String name) throws SQLException {
        try (ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    @Test
    void insert_keepsWhatTheAgentSentAndWhomItResolvedTo_inTheirColumns() throws SQLException {
        ApprovalRequest request = io.countersign.store.Requests.pendingResolvedTo(
                new io.countersign.identity.Person("Alice", "ALICE@example.com"));
        store.transact(tx -> {
            tx.insert(request);
            return null;
        });

        try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + sqlite().file());
                Statement statement = raw.createStatement();
                java.sql.ResultSet row =
                        statement.executeQuery("SELECT on_behalf_of, on_behalf_of_person FROM requests WHERE id = '"
                                + request.id().value() + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("alice@example.com");
            // The person id is the skeleton, not for reading ("m" looks like "rn"): one value for every spelling of
            // alice's email.
            assertThat(row.getString(2))
                    .isEqualTo(request.resolvedOnBehalfOf().orElseThrow().id().value())
                    .isEqualTo(new io.countersign.identity.Person("another identity", "\uff41lice@EXAMPLE.com")
                            .id()
                            .value());
        }
        assertThat(store.find(request.id())).contains(request);
    }
}
