package io.countersign.store.sqlite;

import io.countersign.store.CredentialChangesContractTest;
import io.countersign.store.sql.SqlGatewayStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Two stores on one file stand for the gateway and the command line writing the same data folder. */
class SqliteCredentialChangesTest extends CredentialChangesContractTest {

    @Override
    protected SqlGatewayStore open(Path dir) {
        return SqliteStore.open(dir);
    }

    @Override
    protected Connection connect(Path dir) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("countersign.db"));
    }
}
