package io.countersign.server.cli;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign restore}: puts a backup back, only after the restored audit log verified
 * (every leaf, the tree, the signature of the newest checkpoint); a backup that does not verify
 * restores nothing. Into a data folder that has no database yet, or, with {@code --config}, into
 * the store the gateway's config names: an empty PostgreSQL database (the rows copied in one
 * transaction, the log verified there again) and the keys into its data folder, which must hold
 * none yet. A backup of either store restores into either.
 */
@Command(
        name = "restore",
        description =
                "Restore a backup written by 'countersign backup' into a new data folder or an empty PostgreSQL database, once its audit log verifies.")
public final class RestoreCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "FILE", description = "the backup file")
    Path from;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target into;

    /** Exactly one place to restore into. */
    static final class Target {
        @Option(names = "--data", required = true, description = "the data folder to restore into: new, or empty")
        Path data;

        @Option(
                names = "--config",
                required = true,
                description =
                        "the gateway's countersign.yaml: restore into the database it names (an empty PostgreSQL database, the keys into its data folder) or its data folder")
        Path config;
    }

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description = "the verifier key the log must be signed by (default: the backup's own signing key's)")
    String key;

    @Override
    public Integer call() throws IOException {
        if (into.config != null) {
            ServerConfig settings = ConfigFile.load(into.config);
            if (settings.database().postgres().isPresent()) {
                return new PostgresRestore(this, from, settings).run();
            }
            return intoFolder(settings.dataDirectory());
        }
        return intoFolder(into.data);
    }

    private int intoFolder(Path folder) throws IOException {
        Path target = folder.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            try (var entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            target + " is not empty; restore into a new folder, then point the gateway at it");
                }
            }
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, ".countersign-restore-");
        try {
            unpack(staging);
            String verified = verify(staging);
            Files.deleteIfExists(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("Restored " + from + " into " + target + "; " + verified);
            return 0;
        } finally {
            BackupCommand.deleteTree(staging);
        }
    }

    void unpack(Path staging) throws IOException {
        Set<String> seen = new HashSet<>();
        try (InputStream file = Files.newInputStream(from);
                ZipInputStream archive = new ZipInputStream(file)) {
            for (ZipEntry entry = archive.getNextEntry(); entry != null; entry = archive.getNextEntry()) {
                // Only the files a backup writes, by their plain names: nothing else lands in the data folder.
                if (!BackupCommand.FILES.contains(entry.getName()) || !seen.add(entry.getName())) {
                    throw new IllegalArgumentException(
                            from + " is not a Countersign backup: unexpected entry '" + entry.getName() + "'");
                }
                Path out = staging.resolve(entry.getName());
                Files.copy(archive, out);
                BackupCommand.ownerOnly(out);
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(from + " is not a Countersign backup: " + e.getMessage(), e);
        }
        for (String name : BackupCommand.REQUIRED) {
            if (!seen.contains(name)) {
                throw new IllegalArgumentException(from + " is not a complete Countersign backup: it has no " + name);
            }
        }
    }

    /** The key the restored log must be signed by: {@code --key}, else the backup's own signing key's. */
    NoteVerifier trusted(Path staging) {
        return key != null
                ? NoteVerifier.parse(key.strip())
                : NoteVerifier.parse(AuditSigningKey.readIfPresent(staging.resolve(AuditSigningKey.FILE_NAME))
                        .map(NoteSigner::verifier)
                        .map(Object::toString)
                        .orElseThrow());
    }

    String verify(Path staging) throws IOException {
        try (DataFolderSource source = DataFolderSource.open(staging)) {
            return verify(source, trusted(staging), "nothing restored");
        } catch (SourceException e) {
            throw new IllegalStateException(
                    "the backup's audit log does not verify, nothing restored: " + e.getMessage(), e);
        }
    }

    /** Verifies {@code source} from scratch under {@code trusted}; throws, saying {@code consequence}, unless it verifies. */
    static String verify(AuditSource source, NoteVerifier trusted, String consequence) throws IOException {
        Path state = Files.createTempFile("countersign-restore", ".state");
        Files.delete(state); // a fresh state: nothing remembered, the key decides
        LogVerifier.Outcome outcome;
        try {
            outcome = new LogVerifier(JsonMapper.builder().build())
                    .verify(
                            source,
                            new LogVerifier.Trust(Optional.of(trusted), false),
                            origin -> VerifierState.at(state));
        } finally {
            Files.deleteIfExists(state);
        }
        return switch (outcome) {
            case LogVerifier.Verified ok ->
                "its audit log verified: " + ok.entries() + " entries, checkpoint size "
                        + ok.checkpoint().size() + ", signed by " + ok.key();
            case LogVerifier.Failed failed ->
                throw new IllegalStateException(
                        "the backup's audit log does not verify, " + consequence + ": " + failed.problem());
            case LogVerifier.Unverifiable unverifiable ->
                throw new IllegalStateException(
                        "the backup's audit log can't be verified, " + consequence + ": " + unverifiable.reason());
        };
    }
}
