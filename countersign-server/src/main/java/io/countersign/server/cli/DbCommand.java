package io.countersign.server.cli;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.SqliteToPostgres;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.tlog.note.NoteSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "db", description = "Move a gateway's data between databases.", subcommands = DbCommand.Migrate.class)
public final class DbCommand {

    @Command(
            name = "migrate",
            description = "Copy a SQLite store (requests, audit log, checkpoints, credentials) into an empty PostgreSQL"
                    + " database, then verify the audit log there. Stop the gateway first.")
    static final class Migrate implements Callable<Integer> {
        @Option(names = "--from", required = true, description = "the SQLite data folder, or its countersign.db")
        Path from;

        @Option(names = "--to", required = true, description = "jdbc:postgresql://host:port/database")
        String to;

        @Option(names = "--user", description = "database user, when the URL has none")
        String user;

        @Option(
                names = "--password-env",
                paramLabel = "VAR",
                description = "the environment variable that holds the database password")
        String passwordEnv;

        @Override
        public Integer call() throws IOException {
            Path parent = from.toAbsolutePath().getParent();
            Path folder = Files.isRegularFile(from) && parent != null ? parent : from;
            if (!Files.isRegularFile(folder.resolve("countersign.db"))) {
                System.err.println("countersign: no Countersign database in " + folder.toAbsolutePath());
                return 2;
            }
            Optional<String> password = Optional.ofNullable(passwordEnv).map(System::getenv);
            if (passwordEnv != null && password.isEmpty()) {
                System.err.println("countersign: --password-env names " + passwordEnv + ", which is not set");
                return 2;
            }
            PostgresSettings target = new PostgresSettings(to, Optional.ofNullable(user), password, 2);
            Map<String, Long> copied = SqliteToPostgres.copy(folder, target);
            copied.forEach((table, rows) -> System.out.println("copied " + rows + " row(s) of " + table));

            List<String> before = new ArrayList<>();
            try (SqliteStore source = SqliteStore.open(folder)) {
                source.audit().eachCheckpoint(checkpoint -> before.add(checkpoint.note()));
            }
            Optional<LogVerifierKey> key = LogVerifierKey.in(folder);
            Path state = Files.createTempFile("countersign-migrate", ".state");
            Files.delete(state); // a fresh state: nothing remembered, the key below decides
            try (AuditSource source = DataFolderSource.onStore(folder, PostgresStore.open(target))) {
                List<String> after = new ArrayList<>();
                source.storedCheckpoints(after::add);
                if (!after.equals(before)) {
                    System.err.println("db migrate FAILED: the target has " + after.size()
                            + " checkpoint(s), the source " + before.size());
                    return 1;
                }
                if (before.isEmpty()) {
                    System.out.println(
                            "the source has no signed checkpoint yet; start a gateway on the target to sign one, then run audit verify");
                    return 0;
                }
                LogVerifier.Outcome outcome = new LogVerifier(
                                JsonMapper.builder().build())
                        .verify(
                                source,
                                new LogVerifier.Trust(key.map(LogVerifierKey::verifier), key.isEmpty()),
                                origin -> VerifierState.at(state));
                return switch (outcome) {
                    case LogVerifier.Verified ok -> {
                        System.out.println("verified on " + target.describe() + ": " + ok.entries() + " entries, "
                                + after.size() + " checkpoint(s) identical to the source's, latest of size "
                                + ok.checkpoint().size());
                        yield 0;
                    }
                    case LogVerifier.Failed failed -> {
                        System.err.println("db migrate FAILED: the copied log does not verify: " + failed.problem());
                        yield 1;
                    }
                    case LogVerifier.Unverifiable unverifiable -> {
                        System.err.println("db migrate could not verify the copied log: " + unverifiable.reason());
                        yield 1;
                    }
                };
            } catch (SourceException e) {
                System.err.println("db migrate could not verify the copied log: " + e.getMessage());
                return 1;
            } finally {
                Files.deleteIfExists(state);
            }
        }
    }

    /** The public half of the signing key kept in the data folder, when it is there. */
    private record LogVerifierKey(io.countersign.tlog.note.NoteVerifier verifier) {
        static Optional<LogVerifierKey> in(Path folder) {
            return AuditSigningKey.readIfPresent(folder.resolve(AuditSigningKey.FILE_NAME))
                    .map(NoteSigner::verifier)
                    .map(LogVerifierKey::new);
        }
    }
}
