package io.countersign.server;

import io.countersign.server.config.DatabaseConfig;
import io.countersign.store.EntryMacs;
import io.countersign.store.GatewayStore;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;

/**
 * Opens the store the config names: the shared PostgreSQL when there is one, else SQLite in the data folder. The
 * gateway and every command that writes the store open it here, so what a command appends carries the same entry MAC
 * as what a node appends (a PostgreSQL store opened without the key writes entries the checkpointer refuses to sign).
 */
public final class Stores {
    private Stores() {}

    public static GatewayStore open(DatabaseConfig database, Path dataDirectory) {
        // A node appends each entry with its MAC under the data folder's audit-entry.key; nodes on one PostgreSQL share
        // that file as they share grant.key.
        return database.postgres()
                .<GatewayStore>map(settings -> PostgresStore.open(settings, EntryMacs.inDataFolder(dataDirectory)))
                .orElseGet(() -> SqliteStore.open(dataDirectory));
    }
}
