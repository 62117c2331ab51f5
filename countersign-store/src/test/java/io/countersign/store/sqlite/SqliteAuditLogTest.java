package io.countersign.store.sqlite;

import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.store.StoreException;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.CompactRange;
import io.countersign.tlog.tree.TreeHasher;
import io.countersign.workflow.ApprovalRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Merkle tree is written with the entries, in the same batch, and always covers exactly the log. */
class SqliteAuditLogTest {
    @TempDir
    Path dir;

    @Test
    void concurrentAppends_leaveATreeWhoseRootIsTheRootOfTheEntries() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir);
                ExecutorService callers = Executors.newFixedThreadPool(16)) {
            List<CompletableFuture<?>> done = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                done.add(CompletableFuture.runAsync(() -> appendOne(store), callers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();

            assertThat(store.batchesCommitted()).as("batches").isLessThan(400);
            assertTreeMatchesEntries(store, 400);
        }
    }

    @Test
    void aFailedWork_takesItsLeavesOutOfTheTreeToo() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            appendOne(store);
            assertThatThrownBy(() -> store.transact(tx -> {
                        tx.append(created(pending("bot")));
                        throw new IllegalStateException("changed my mind");
                    }))
                    .hasMessage("changed my mind");
            appendOne(store);

            assertTreeMatchesEntries(store, 2);
        }
    }

    @Test
    void appendsByAnotherWriterOnTheSameFile_areTakenIntoTheTree() {
        try (SqliteStore server = SqliteStore.open(dir)) {
            appendOne(server);
            try (SqliteStore commandLine = SqliteStore.open(dir)) {
                appendOne(commandLine);
                appendOne(commandLine);
            }
            appendOne(server);

            assertTreeMatchesEntries(server, 4);
        }
    }

    @Test
    void entriesWithoutNodes_asAfterTheMigrationFromSchema1_getTheirNodesOnTheNextWrite() throws SQLException {
        try (SqliteStore store = SqliteStore.open(dir)) {
            for (int i = 0; i < 37; i++) {
                appendOne(store);
            }
        }
        sql("DROP TRIGGER audit_nodes_no_delete", "DELETE FROM audit_nodes");

        try (SqliteStore store = SqliteStore.open(dir)) {
            assertThat(store.audit().treeSize()).isZero();
            appendOne(store);

            assertTreeMatchesEntries(store, 38);
        }
    }

    @Test
    void aTreeLargerThanTheLog_refusesEveryWrite() throws SQLException {
        try (SqliteStore store = SqliteStore.open(dir)) {
            for (int i = 0; i < 5; i++) {
                appendOne(store);
            }
        }
        sql("DROP TRIGGER audit_entries_no_delete", "DELETE FROM audit_entries WHERE seq = 4");

        try (SqliteStore store = SqliteStore.open(dir)) {
            assertThatThrownBy(() -> appendOne(store))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("the audit tree covers 5 entries but the log has only 4");
        }
    }

    @Test
    void checkpoints_areKeptOnlyWithTheTreesRoot() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            for (int i = 0; i < 3; i++) {
                appendOne(store);
            }
            byte[] root = store.audit().root(3);

            assertThat(store.audit().addCheckpoint(new StoredCheckpoint(3, root, "note 3\n", Instant.ofEpochMilli(1))))
                    .isTrue();
            assertThat(store.audit().addCheckpoint(new StoredCheckpoint(3, root, "again\n", Instant.ofEpochMilli(2))))
                    .isFalse();
            assertThatThrownBy(() ->
                            store.audit().addCheckpoint(new StoredCheckpoint(2, root, "x\n", Instant.ofEpochMilli(3))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another root");
            assertThatThrownBy(() ->
                            store.audit().addCheckpoint(new StoredCheckpoint(4, root, "x\n", Instant.ofEpochMilli(3))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("beyond the audit tree's size 3");

            assertThat(store.audit().latestCheckpoint()).hasValueSatisfying(latest -> {
                assertThat(latest.size()).isEqualTo(3);
                assertThat(latest.note()).isEqualTo("note 3\n");
            });
        }
    }

    @Test
    void nodeLookups_useThePrimaryKey() throws SQLException {
        try (SqliteStore store = SqliteStore.open(dir)) {
            appendOne(store);
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("countersign.db"));
                Statement statement = connection.createStatement();
                ResultSet plan = statement.executeQuery(
                        "EXPLAIN QUERY PLAN SELECT level, idx, hash FROM audit_nodes WHERE (level, idx) IN (VALUES (0, 1), (1, 0))")) {
            StringBuilder details = new StringBuilder();
            while (plan.next()) {
                details.append(plan.getString("detail")).append('\n');
            }
            assertThat(details.toString()).contains("USING PRIMARY KEY").doesNotContain("SCAN audit_nodes");
        }
    }

    private static void appendOne(SqliteStore store) {
        ApprovalRequest request = pending("bot");
        store.transact(tx -> {
            tx.insert(request);
            return tx.append(created(request));
        });
    }

    private static void assertTreeMatchesEntries(SqliteStore store, long size) {
        assertThat(store.auditSize()).isEqualTo(size);
        assertThat(store.audit().treeSize()).isEqualTo(size);
        List<byte[]> leaves = store.auditLeaves(0, size);
        CompactRange range = CompactRange.empty();
        for (byte[] leaf : leaves) {
            range.appendEntry(leaf);
        }
        assertThat(store.audit().root(size)).isEqualTo(range.root());
        ProofBuilder proofs = new ProofBuilder(store.audit().hashes());
        for (long m = 1; m <= size; m++) {
            byte[] rootM = store.audit().root(m);
            InclusionProof inclusion = proofs.inclusion(m - 1, size);
            ConsistencyProof consistency = proofs.consistency(m, size);
            try {
                ProofVerifier.verifyInclusion(TreeHasher.leafHash(leaves.get((int) (m - 1))), inclusion, range.root());
                ProofVerifier.verifyConsistency(consistency, rootM, range.root());
            } catch (Exception e) {
                throw new AssertionError("proofs at " + m + " of " + size + ": " + e.getMessage(), e);
            }
        }
    }

    private void sql(String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("countersign.db"));
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
