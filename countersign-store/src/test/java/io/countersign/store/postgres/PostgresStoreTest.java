package io.countersign.store.postgres;

import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.audit.AuditEntry;
import io.countersign.store.StoreContractTest;
import io.countersign.store.StoreException;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store contract on PostgreSQL, and what only PostgreSQL has to say. */
class PostgresStoreTest extends StoreContractTest {

    @Override
    protected Store newStore(Path dir) {
        return PostgresStore.open(TestPostgres.settingsFor(dir));
    }

    @Override
    protected long auditSize(Store store) {
        return ((PostgresStore) store).auditSize();
    }

    @Override
    protected List<byte[]> auditLeaves(Store store, long start, long end) {
        return ((PostgresStore) store).auditLeaves(start, end);
    }

    @Test
    void connections_commitSynchronously() throws SQLException {
        assertThat(((PostgresStore) store).setting("synchronous_commit")).isEqualTo("on");
    }

    @Test
    void auditEntries_canBeNeitherUpdatedNorDeletedNorTruncated() throws SQLException {
        ApprovalRequest request = pending("bot");
        store.transact(tx -> {
            tx.insert(request);
            return tx.append(created(request));
        });

        try (Connection connection = DriverManager.getConnection(
                        TestPostgres.settingsFor(dir).url());
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("UPDATE audit_entries SET type = 'x'"))
                    .hasMessageContaining("audit entries are append-only: update refused");
            assertThatThrownBy(() -> statement.execute("DELETE FROM audit_entries"))
                    .hasMessageContaining("audit entries are append-only: delete refused");
            assertThatThrownBy(() -> statement.execute("TRUNCATE audit_entries"))
                    .hasMessageContaining("audit entries are append-only: truncate refused");
            assertThatThrownBy(() -> statement.execute("DELETE FROM audit_nodes"))
                    .hasMessageContaining("audit nodes are append-only");
        }
        assertThat(new AuditEntry(0, created(request)).leaf())
                .isEqualTo(auditLeaves(store, 0, 1).getFirst());
    }

    @Test
    void twoStoresOnOneDatabase_keepTheAuditSeqsConsecutive() {
        try (PostgresStore other = PostgresStore.open(TestPostgres.settingsFor(dir))) {
            for (int i = 0; i < 10; i++) {
                Store writer = i % 2 == 0 ? store : other;
                ApprovalRequest request = pending("bot");
                long seq = writer.transact(tx -> {
                    tx.insert(request);
                    return tx.append(created(request));
                });
                assertThat(seq).isEqualTo(i);
            }
            assertThat(other.audit().treeSize()).isEqualTo(10);
            assertThat(other.audit().root(10))
                    .isEqualTo(((PostgresStore) store).audit().root(10));
        }
    }

    @Test
    void transactInsideWork_isRefused() {
        assertThatThrownBy(() -> store.transact(tx -> store.transact(inner -> null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inside a transaction's work");
    }

    @Test
    void open_withAnUnreachableDatabase_saysWhich() {
        assertThatThrownBy(() -> PostgresStore.open(
                        PostgresSettings.of("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/nothing");
    }

    @Test
    void insert_keepsWhatTheAgentSentAndWhomItResolvedTo_inTheirColumns() throws SQLException {
        ApprovalRequest request = io.countersign.store.Requests.pendingResolvedTo(
                new io.countersign.identity.Person("Alice", "ALICE@example.com"));
        store.transact(tx -> {
            tx.insert(request);
            return null;
        });

        try (Connection raw = DriverManager.getConnection(
                        TestPostgres.settingsFor(dir).url());
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
