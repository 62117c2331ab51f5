package io.countersign.server;

import io.countersign.server.config.DatabaseConfig;
import io.countersign.store.GatewayStore;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;

/** Opens the store the config names: the shared PostgreSQL when there is one, else SQLite in the data folder. */
final class Stores {
    private Stores() {}

    static GatewayStore open(DatabaseConfig database, Path dataDirectory) {
        return database.postgres().<GatewayStore>map(PostgresStore::open).orElseGet(() -> SqliteStore.open(dataDirectory));
    }
}
