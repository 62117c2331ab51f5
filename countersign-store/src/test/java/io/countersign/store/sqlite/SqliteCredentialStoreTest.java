package io.countersign.store.sqlite;

import io.countersign.identity.CredentialStore;
import io.countersign.store.CredentialStoreContractTest;
import java.nio.file.Path;

class SqliteCredentialStoreTest extends CredentialStoreContractTest {

    @Override
    protected CredentialStore newCredentialStore(Path dir) {
        return SqliteStore.open(dir);
    }

    @Override
    protected void close(CredentialStore credentials) {
        ((SqliteStore) credentials).close();
    }
}
