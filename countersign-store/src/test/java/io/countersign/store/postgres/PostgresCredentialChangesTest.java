package io.countersign.store.postgres;

import io.countersign.store.CredentialChangesContractTest;
import io.countersign.store.sql.SqlGatewayStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Two stores on one database stand for two gateway nodes. */
class PostgresCredentialChangesTest extends CredentialChangesContractTest {

    @Override
    protected SqlGatewayStore open(Path dir) {
        return PostgresStore.open(TestPostgres.settingsFor(dir));
    }

    @Override
    protected Connection connect(Path dir) throws SQLException {
        return DriverManager.getConnection(TestPostgres.settingsFor(dir).url());
    }
}
