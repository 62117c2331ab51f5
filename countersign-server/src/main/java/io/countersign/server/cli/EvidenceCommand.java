package io.countersign.server.cli;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.evidence.EvidenceExporter;
import io.countersign.server.evidence.EvidenceExports;
import io.countersign.server.evidence.EvidencePeriod;
import io.countersign.store.GatewayStore;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.NoteVerifier;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign evidence export}: the SOC 2 evidence package of a period, from a data
 * folder or the store a gateway's config names (PostgreSQL too; no key is needed beyond the
 * public one). The export is then recorded ({@code evidence.exported}, actor the {@code --as}
 * human or {@code cli:<OS user>}, {@code via: cli}), as one through the API is.
 */
@Command(
        name = "evidence",
        description = "SOC 2 evidence packages built from the audit log.",
        subcommands = EvidenceCommand.Export.class)
public final class EvidenceCommand {

    @Command(
            name = "export",
            description = {
                "Write the evidence package of the requests created in [--from, --to): population (CSV, JSON Lines), separation of duties,",
                "break-glass reviews, policy versions, timings, exceptions, control map, an HTML summary, and the audit entries they come",
                "from with inclusion proofs under the newest signed checkpoint. Check it offline with 'countersign audit verify --export FILE'."
            })
    static final class Export implements Callable<Integer> {
        @Option(
                names = "--from",
                required = true,
                paramLabel = "DATE",
                description = "start, included: 2026-10-01 (midnight UTC) or 2026-10-01T09:30:00Z")
        String from;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "DATE",
                description = "end, excluded: 2027-01-01 or an instant")
        String to;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the zip to write")
        Path out;

        @Mixin
        OperatorOption operator;

        @Mixin
        DataOption data;

        @Option(
                names = "--key",
                paramLabel = "KEY",
                description = "the log's verifier key, or @FILE (default: the data folder's signing key's)")
        String key;

        @Override
        public Integer call() throws IOException {
            EvidencePeriod period;
            try {
                period = EvidencePeriod.parse(from, to);
            } catch (IllegalArgumentException e) {
                System.err.println("countersign: " + e.getMessage());
                return 2;
            }
            if (data.postgres().isEmpty() && !Files.isRegularFile(data.folder().resolve("countersign.db"))) {
                System.err.println("countersign: no Countersign database in " + data.describe());
                return 1;
            }
            Optional<NoteVerifier> verifier;
            try {
                verifier = key != null
                        ? Optional.of(NoteVerifier.parse(
                                key.startsWith("@")
                                        ? Files.readString(Path.of(key.substring(1)), StandardCharsets.UTF_8)
                                                .strip()
                                        : key.strip()))
                        : AuditSigningKey.readIfPresent(data.signingKeyFile()).map(NoteSigner::verifier);
            } catch (IllegalArgumentException e) {
                System.err.println("countersign: --key: " + e.getMessage());
                return 2;
            }
            if (verifier.isEmpty()) {
                System.err.println("countersign: no signing key at " + data.signingKeyFile()
                        + "; pass --key with the log's verifier key");
                return 1;
            }
            String actor = operator.actor(data, "admin", "auditor");
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temporary = Files.createTempFile(parent, ".evidence-", ".tmp");
            try (GatewayStore store = data.openStore()) {
                EvidenceExporter.Exported exported;
                try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16)) {
                    exported = new EvidenceExporter(
                                    store, verifier.get(), JsonMapper.builder().build())
                            .export(period, file);
                }
                // Recorded like an export through the API (evidence.exported), with the --as human as the actor.
                EvidenceExports.record(store, Clock.systemUTC(), actor, "cli", period, exported);
                try {
                    Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING);
                }
                System.out.println("exported " + exported.requests() + " requests created from " + period.from()
                        + " to " + period.to() + ", citing "
                        + exported.cited() + " audit entries (range " + exported.first() + " to " + exported.end()
                        + " of a checkpoint of "
                        + exported.logSize() + "), to " + out);
                return 0;
            } catch (EvidenceExporter.NotExportable e) {
                System.err.println("countersign: " + e.getMessage());
                return 1;
            } finally {
                Files.deleteIfExists(temporary);
            }
        }
    }
}
