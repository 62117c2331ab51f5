package io.countersign.server.cli;

import static java.util.Objects.requireNonNull;

import io.countersign.server.DataFolder;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.SqliteToPostgres;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code countersign restore --config FILE} when the config names PostgreSQL: the backup's log is
 * verified first, its rows then go into the (empty) database in one transaction, its keys into the
 * config's data folder, and the log is verified again where the gateway will read it.
 */
final class PostgresRestore {
    private final RestoreCommand command;
    private final Path from;
    private final ServerConfig settings;

    PostgresRestore(RestoreCommand command, Path from, ServerConfig settings) {
        this.command = requireNonNull(command, "command is null");
        this.from = requireNonNull(from, "from is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    int run() throws IOException {
        PostgresSettings database = settings.database().postgres().orElseThrow();
        Path folder = new DataFolder(settings.dataDirectory()).create();
        Map<String, Path> keys = keyTargets(folder);
        List<Path> present = keys.values().stream().filter(Files::exists).toList();
        if (!present.isEmpty()) {
            // The backup's keys go with its rows: a node's own fresh keys would not open its grants or check its MACs.
            throw new IllegalArgumentException("the data folder already has " + present
                    + "; restore into a data folder without keys (move them aside), then start the gateway");
        }
        Path staging = Files.createTempDirectory(folder, ".countersign-restore-");
        try {
            command.unpack(staging);
            NoteVerifier trusted = command.trusted(staging);
            String verified = command.verify(staging);
            Map<String, Long> copied = SqliteToPostgres.copy(staging, database);
            List<Path> placed = new ArrayList<>();
            for (Map.Entry<String, Path> key : keys.entrySet()) {
                Path source = staging.resolve(key.getKey());
                if (Files.isRegularFile(source)) {
                    Files.createDirectories(key.getValue().toAbsolutePath().getParent());
                    Files.move(source, key.getValue()); // the signing key may live on another file system
                    placed.add(key.getValue());
                }
            }
            String again;
            try (DataFolderSource there = DataFolderSource.onStore(folder, PostgresStore.open(database))) {
                again = RestoreCommand.verify(
                        there, trusted, "on " + database.describe() + " after the copy: do not start a gateway on it");
            }
            System.out.println("Restored " + from + " into " + database.describe() + " ("
                    + copied.values().stream().mapToLong(Long::longValue).sum() + " rows) and " + placed
                    + "; " + verified + "; on PostgreSQL " + again.replace("its audit log verified", "verified again"));
            return 0;
        } finally {
            BackupCommand.deleteTree(staging);
        }
    }

    /** Where each key file of a backup goes: the data folder, the signing key where the config keeps it. */
    private Map<String, Path> keyTargets(Path folder) {
        Map<String, Path> targets = new java.util.LinkedHashMap<>();
        for (String name : BackupCommand.FILES) {
            if (!name.equals(BackupCommand.DATABASE)) {
                targets.put(
                        name,
                        name.equals(BackupCommand.SIGNING_KEY)
                                ? settings.audit().signingKeyFile().orElse(folder.resolve(name))
                                : folder.resolve(name));
            }
        }
        return targets;
    }
}
