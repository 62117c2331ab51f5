package io.countersign.store.postgres;

import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.CompactRange;
import io.countersign.tlog.tree.TreeHasher;
import io.countersign.workflow.ApprovalRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The audit log when several stores (gateway nodes) append to one PostgreSQL database. */
class PostgresAuditLogTest {

    @Test
    void concurrentAppendsOnThreeNodes_haveNoGapNoDuplicate_andATreeWhoseRootIsTheRootOfTheEntries() throws Exception {
        PostgresSettings database = PostgresSettings.of(TestPostgres.newDatabase());
        List<PostgresStore> nodes =
                List.of(PostgresStore.open(database), PostgresStore.open(database), PostgresStore.open(database));
        try (ExecutorService callers = Executors.newFixedThreadPool(24)) {
            ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<?>> done = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                PostgresStore node = nodes.get(i % 3);
                done.add(CompletableFuture.runAsync(() -> seqs.add(appendOne(node)), callers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();

            Set<Long> distinct = new HashSet<>(seqs);
            assertThat(distinct).hasSize(600);
            assertThat(distinct).allMatch(seq -> seq >= 0 && seq < 600);
            for (PostgresStore node : nodes) {
                assertTreeMatchesEntries(node, 600);
            }
        } finally {
            nodes.forEach(PostgresStore::close);
        }
    }

    @Test
    void aFailedWork_takesItsLeavesOutOfTheTreeToo() {
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(TestPostgres.newDatabase()))) {
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
    void checkpoints_areKeptOnlyWithTheTreesRoot() {
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(TestPostgres.newDatabase()))) {
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
            assertThat(store.audit().latestCheckpoint())
                    .hasValueSatisfying(latest -> assertThat(latest.note()).isEqualTo("note 3\n"));
        }
    }

    @Test
    void oneNodeAtATime_isTheSigner_andAnotherTakesOverWhenItCloses() {
        PostgresSettings database = PostgresSettings.of(TestPostgres.newDatabase());
        try (PostgresStore a = PostgresStore.open(database);
                PostgresStore b = PostgresStore.open(database)) {
            assertThat(a.audit().isSigner()).isTrue();
            assertThat(b.audit().isSigner()).isFalse();
            assertThat(a.audit().isSigner()).as("still").isTrue();

            a.close();

            assertThat(b.audit().isSigner()).isTrue();
        }
    }

    @Test
    void aDecisionOnOneNode_reachesTheListenerOfAnother() throws Exception {
        PostgresSettings database = PostgresSettings.of(TestPostgres.newDatabase());
        try (PostgresStore a = PostgresStore.open(database);
                PostgresStore b = PostgresStore.open(database)) {
            CompletableFuture<ApprovalRequest> heard = new CompletableFuture<>();
            a.listenForOtherNodes(request -> heard.complete(request));
            ApprovalRequest request = pending("bot");
            b.transact(tx -> {
                tx.insert(request);
                return null;
            });
            ApprovalRequest denied = io.countersign.store.Requests.approved(
                    request, "bob", request.createdAt().plusSeconds(1));
            long sent = System.nanoTime();
            b.transact(tx -> {
                tx.update(denied);
                return null;
            });

            assertThat(heard.get(2, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(denied);
            assertThat((System.nanoTime() - sent) / 1_000_000)
                    .as("ms from commit to listener")
                    .isLessThan(200);
        }
    }

    private static long appendOne(PostgresStore store) {
        ApprovalRequest request = pending("bot");
        return store.transact(tx -> {
            tx.insert(request);
            return tx.append(created(request));
        });
    }

    private static void assertTreeMatchesEntries(PostgresStore store, long size) {
        assertThat(store.auditSize()).isEqualTo(size);
        assertThat(store.audit().treeSize()).isEqualTo(size);
        List<byte[]> leaves = store.auditLeaves(0, size);
        CompactRange range = CompactRange.empty();
        for (byte[] leaf : leaves) {
            range.appendEntry(leaf);
        }
        assertThat(store.audit().root(size)).isEqualTo(range.root());
        ProofBuilder proofs = new ProofBuilder(store.audit().hashes());
        for (long m = 1; m <= size; m += 37) {
            try {
                ProofVerifier.verifyInclusion(
                        TreeHasher.leafHash(leaves.get((int) (m - 1))), proofs.inclusion(m - 1, size), range.root());
                ProofVerifier.verifyConsistency(
                        proofs.consistency(m, size), store.audit().root(m), range.root());
            } catch (Exception e) {
                throw new AssertionError("proofs at " + m + " of " + size + ": " + e.getMessage(), e);
            }
        }
    }
}
