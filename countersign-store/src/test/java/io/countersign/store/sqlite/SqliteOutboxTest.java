package io.countersign.store.sqlite;

import io.countersign.store.GatewayStore;
import io.countersign.store.OutboxContractTest;
import java.nio.file.Path;

class SqliteOutboxTest extends OutboxContractTest {

    @Override
    protected GatewayStore newStore(Path dir) {
        return SqliteStore.open(dir);
    }
}
