package io.countersign.server.cli;

import io.countersign.server.DataFolder;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresToSqlite;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.sqlite.SQLiteConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code countersign backup}: one file with everything a gateway's store needs to come back, taken
 * while the gateway runs. A data folder's SQLite database is copied with SQLite's online backup
 * API, which reads one consistent snapshot (in WAL mode the gateway keeps writing meanwhile); a
 * PostgreSQL store ({@code --config} with a {@code database:} section) is copied from one
 * read-only REPEATABLE READ snapshot, the one pg_dump takes, into the same SQLite file, so both
 * stores' backups have one format that verifies offline and restores into either store, whatever
 * the server's version (pg_dump must be at least the server's major version; this needs no
 * client). The keys are copied beside it. Without {@code grant.key} outstanding grants fail, and
 * without {@code audit-signing.key} the log can't be extended under the same verifier key;
 * without {@code audit-entry.key} no entry's MAC checks out, so the checkpointer signs nothing
 * new; and {@code log-id} keeps the log's origin.
 */
@Command(
        name = "backup",
        description =
                "Write a consistent copy of a (running) gateway's store, SQLite or PostgreSQL, and its keys into one file (a zip, mode 0600).")
public final class BackupCommand implements Callable<Integer> {
    static final String DATABASE = "countersign.db";
    static final String SIGNING_KEY = "audit-signing.key";
    /** The files of a data folder a backup carries; the database first. */
    static final List<String> FILES =
            List.of(DATABASE, "grant.key", "audit-entry.key", SIGNING_KEY, "log-id", "mcp-pins.json");

    static final List<String> REQUIRED = List.of(DATABASE, "grant.key", SIGNING_KEY);

    @Mixin
    DataOption data;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "the backup file to write; never overwritten")
    Path out;

    @Override
    public Integer call() throws IOException, SQLException {
        Path folder = new DataFolder(data.folder()).directory();
        Optional<PostgresSettings> postgres = data.postgres();
        for (String name : REQUIRED) {
            boolean inDatabase = name.equals(DATABASE) && postgres.isPresent();
            if (!inDatabase && !Files.isRegularFile(source(folder, name))) {
                throw new IllegalArgumentException("no " + name + " at " + source(folder, name)
                        + "; is that a gateway's data folder? (" + data.describe() + ")");
            }
        }
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists; a backup never overwrites a file");
        }
        Path staging = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".countersign-backup-");
        try {
            Path copy;
            if (postgres.isPresent()) {
                Path snapshot = Files.createDirectory(staging.resolve("snapshot"));
                PostgresToSqlite.copy(postgres.get(), snapshot);
                copy = snapshot.resolve(DATABASE);
            } else {
                copy = staging.resolve(DATABASE);
                onlineBackup(folder.resolve(DATABASE), copy);
            }
            Path zip = staging.resolve("backup.zip");
            try (OutputStream file = Files.newOutputStream(zip);
                    ZipOutputStream archive = new ZipOutputStream(file)) {
                for (String name : FILES) {
                    Path source = name.equals(DATABASE) ? copy : source(folder, name);
                    if (Files.isRegularFile(source)) {
                        archive.putNextEntry(new ZipEntry(name));
                        Files.copy(source, archive);
                        archive.closeEntry();
                    }
                }
            }
            ownerOnly(zip);
            Files.move(zip, out, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
        }
        System.out.println("Backed up " + data.describe() + " ("
                + String.join(
                        ", ",
                        FILES.stream()
                                .filter(name -> name.equals(DATABASE) || Files.isRegularFile(source(folder, name)))
                                .toList())
                + ") to " + out + "; restore it with: countersign restore --from " + out
                + " --data DIR (or --config FILE for a PostgreSQL store)");
        return 0;
    }

    /** Where the file {@code name} of a backup comes from: the data folder, the signing key wherever the config keeps it. */
    private Path source(Path folder, String name) {
        return name.equals(SIGNING_KEY) ? data.signingKeyFile() : folder.resolve(name);
    }

    /** SQLite's online backup: a consistent snapshot of a database another process keeps writing. */
    static void onlineBackup(Path database, Path copy) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
            int result = connection.unwrap(SQLiteConnection.class).getDatabase().backup("main", copy.toString(), null);
            if (result != 0) {
                throw new SQLException("the online backup of " + database + " ended with SQLite result code " + result);
            }
        }
    }

    static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // non-POSIX file systems keep their default ACLs
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
