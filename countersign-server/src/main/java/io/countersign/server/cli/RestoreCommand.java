package io.countersign.server.cli;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign restore}: puts a backup back into a data folder that has no database yet,
 * and only after the restored audit log verified (every leaf, the tree, the signature of the
 * newest checkpoint). A backup that does not verify restores nothing.
 */
@Command(
        name = "restore",
        description =
                "Restore a backup written by 'countersign backup' into a new data folder, once its audit log verifies.")
public final class RestoreCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "FILE", description = "the backup file")
    Path from;

    @Option(names = "--data", required = true, description = "the data folder to restore into: new, or empty")
    Path data;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description = "the verifier key the log must be signed by (default: the backup's own signing key's)")
    String key;

    @Override
    public Integer call() throws IOException {
        Path target = data.toAbsolutePath().normalize();
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

    private void unpack(Path staging) throws IOException {
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

    private String verify(Path staging) throws IOException {
        NoteVerifier trusted = key != null
                ? NoteVerifier.parse(key.strip())
                : NoteVerifier.parse(AuditSigningKey.readIfPresent(staging.resolve(AuditSigningKey.FILE_NAME))
                        .map(NoteSigner::verifier)
                        .map(Object::toString)
                        .orElseThrow());
        Path state = staging.resolve(".verified");
        LogVerifier.Outcome outcome;
        try (DataFolderSource source = DataFolderSource.open(staging)) {
            outcome = new LogVerifier(JsonMapper.builder().build())
                    .verify(
                            source,
                            new LogVerifier.Trust(Optional.of(trusted), false),
                            origin -> VerifierState.at(state));
        } catch (SourceException e) {
            throw new IllegalStateException(
                    "the backup's audit log does not verify, nothing restored: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(state);
        }
        return switch (outcome) {
            case LogVerifier.Verified ok ->
                "its audit log verified: " + ok.entries() + " entries, checkpoint size "
                        + ok.checkpoint().size() + ", signed by " + ok.key();
            case LogVerifier.Failed failed ->
                throw new IllegalStateException(
                        "the backup's audit log does not verify, nothing restored: " + failed.problem());
            case LogVerifier.Unverifiable unverifiable ->
                throw new IllegalStateException(
                        "the backup's audit log can't be verified, nothing restored: " + unverifiable.reason());
        };
    }
}
