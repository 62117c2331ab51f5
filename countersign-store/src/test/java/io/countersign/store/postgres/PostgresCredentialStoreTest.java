package io.countersign.store.postgres;

import io.countersign.identity.CredentialStore;
import io.countersign.store.CredentialStoreContractTest;
import java.nio.file.Path;

class PostgresCredentialStoreTest extends CredentialStoreContractTest {

    @Override
    protected CredentialStore newCredentialStore(Path dir) {
        return PostgresStore.open(TestPostgres.settingsFor(dir));
    }

    @Override
    protected void close(CredentialStore credentials) {
        ((PostgresStore) credentials).close();
    }
}
