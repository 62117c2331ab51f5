package io.countersign.server.cli;

import io.countersign.server.DataFolder;
import io.countersign.server.Stores;
import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.store.GatewayStore;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --data DIR} or {@code --config FILE}, shared by the commands that open the store
 * directly. With {@code --config} the command works on the store the gateway's config names,
 * the shared PostgreSQL database when it has a {@code database:} section, the same way as on a
 * data folder.
 */
final class DataOption {
    @Option(names = "--data", description = "data folder (default ./countersign-data)")
    Path data = Path.of("countersign-data");

    @Option(
            names = "--config",
            description = "the gateway's countersign.yaml: use the database it names (PostgreSQL or its data folder)")
    Path config;

    GatewayStore openStore() {
        if (config == null) {
            return SqliteStore.open(new DataFolder(data).create());
        }
        ServerConfig settings = ConfigFile.load(config);
        return Stores.open(settings.database(), new DataFolder(settings.dataDirectory()).create());
    }

    /** The data folder: {@code --data}, or the one the config names (where the keys are, also beside PostgreSQL). */
    Path folder() {
        return config == null ? data : ConfigFile.load(config).dataDirectory();
    }

    /** The config's identity section (which groups hold the admin and auditor roles); local only without one. */
    IdentityConfig identity() {
        return config == null
                ? IdentityConfig.localOnly()
                : ConfigFile.load(config).identity();
    }

    /** The PostgreSQL database the config names; empty for a data folder's SQLite. */
    Optional<PostgresSettings> postgres() {
        return config == null
                ? Optional.empty()
                : ConfigFile.load(config).database().postgres();
    }

    /** The audit signing key file: the config's {@code audit.signingKeyFile}, else the data folder's. */
    Path signingKeyFile() {
        Optional<Path> configured = config == null
                ? Optional.empty()
                : ConfigFile.load(config).audit().signingKeyFile();
        return configured.orElseGet(() -> folder().resolve(AuditSigningKey.FILE_NAME));
    }

    /** What the command reads, for messages: the data folder, or the config and its database. */
    String describe() {
        return config == null
                ? data.toAbsolutePath().toString()
                : config
                        + postgres()
                                .map(pg -> " (PostgreSQL " + pg.describe() + ")")
                                .orElse(" (data folder " + folder() + ")");
    }
}
