package io.countersign.server.cli;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.ExportFile;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.ServerSource;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.evidence.EvidencePackage;
import io.countersign.server.evidence.EvidenceVerifier;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.WitnessKey;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.tlogproof.TlogProof;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign audit}: verify a log (from a server, a data folder or an export file),
 * export it for offline verification, prove one entry, and make or show signing keys. Exit codes
 * of {@code verify}: 0 verified, 1 verification failed (the first bad thing is named), 2 nothing
 * could be verified (no trusted key, unreachable source).
 */
@Command(
        name = "audit",
        description = "Verify, export and prove the tamper-evident audit log.",
        subcommands = {
            AuditCommand.Verify.class,
            AuditCommand.Export.class,
            AuditCommand.Prove.class,
            AuditCommand.Key.class,
            AuditCommand.Keygen.class
        })
public final class AuditCommand {
    static final int VERIFIED = 0;
    static final int FAILED = 1;
    static final int UNVERIFIABLE = 2;
    /** Where the bearer token for {@code --server} comes from when {@code --token} is not given (a flag shows in {@code ps}; this does not). */
    static final String TOKEN_ENV = "COUNTERSIGN_TOKEN";

    static final String TOKEN_HELP =
            "an auditor's or admin's token, to read the entries from --server (default: the COUNTERSIGN_TOKEN environment variable)";

    static Optional<String> token(String option) {
        return Optional.ofNullable(option)
                .or(() -> Optional.ofNullable(System.getenv(TOKEN_ENV)))
                .filter(t -> !t.isBlank());
    }

    /** Exactly one place to read the log from. */
    static final class From {
        @Option(names = "--server", description = "a gateway's base URL, e.g. https://countersign.example.com")
        String server;

        @Option(names = "--data", description = "a gateway's data folder")
        Path data;

        @Option(
                names = "--export",
                description =
                        "an export file written by 'countersign audit export', or an evidence package (zip) written by 'countersign evidence export'")
        Path export;

        @Option(
                names = "--config",
                description = "a gateway's countersign.yaml: the database it names (PostgreSQL, or its data folder)")
        Path config;

        AuditSource open(Optional<String> token) throws IOException, SourceException {
            if (server != null) {
                return new ServerSource(server, JsonMapper.builder().build(), token);
            }
            if (data != null) {
                return DataFolderSource.open(data);
            }
            if (config != null) {
                return configured(config);
            }
            return ExportFile.open(export);
        }
    }

    /** A log online: a server or a data folder. */
    static final class Live {
        @Option(names = "--server", description = "a gateway's base URL")
        String server;

        @Option(names = "--data", description = "a gateway's data folder")
        Path data;

        @Option(names = "--config", description = "a gateway's countersign.yaml: the database it names")
        Path config;

        AuditSource open(Optional<String> token) throws SourceException {
            if (server != null) {
                return new ServerSource(server, JsonMapper.builder().build(), token);
            }
            return config != null ? configured(config) : DataFolderSource.open(data);
        }
    }

    /** The log in the database a gateway config names: PostgreSQL (keys from its data folder), or the data folder's SQLite. */
    static AuditSource configured(Path config) throws SourceException {
        ServerConfig settings = ConfigFile.load(config);
        if (settings.database().postgres().isPresent()) {
            return DataFolderSource.onStore(
                    settings.dataDirectory(),
                    PostgresStore.open(settings.database().postgres().get()));
        }
        return DataFolderSource.open(settings.dataDirectory());
    }

    @Command(
            name = "verify",
            description = {
                "Recompute every leaf hash and the root, check the checkpoint's signature with the trusted key, check each entry's seq,",
                "and check the log only grew since the last checkpoint verified for its origin. Names the first bad entry.",
                "Exit 0: verified; 1: verification failed; 2: nothing could be verified."
            })
    static final class Verify implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        From from;

        @Option(
                names = "--key",
                paramLabel = "KEY",
                description = "the log's verifier key <origin>+<keyid>+<base64>, or @FILE holding it")
        String key;

        @Option(
                names = "--trust-on-first-use",
                description = "without --key and without a remembered key: trust and pin the key the source offers")
        boolean trustOnFirstUse;

        @Option(
                names = "--state",
                paramLabel = "FILE",
                description =
                        "where the last verified checkpoint is remembered (default ~/.countersign/verified/<origin>)")
        Path state;

        @Option(names = "--token", paramLabel = "TOKEN", description = TOKEN_HELP)
        String token;

        @Option(
                names = "--witness",
                paramLabel = "KEY",
                description = "a trusted witness's cosignature key <name>+<keyid>+<base64> (C2SP vkey, type 0x04),"
                        + " or @FILE holding it; repeatable")
        List<String> witnesses = new ArrayList<>();

        @Option(
                names = "--min-witnesses",
                paramLabel = "K",
                description = "how many of the --witness keys must have cosigned the checkpoint (default: all of them)")
        Integer minWitnesses;

        @Override
        public Integer call() {
            Optional<NoteVerifier> trusted;
            LogVerifier.Trust trust;
            try {
                trusted = parseKey(key);
            } catch (IllegalArgumentException e) {
                System.err.println("countersign: --key: " + e.getMessage());
                return UNVERIFIABLE;
            }
            try {
                List<WitnessKey> witnessKeys = new ArrayList<>();
                for (String witness : witnesses) {
                    witnessKeys.add(WitnessKey.parse(readKey(witness)));
                }
                trust = new LogVerifier.Trust(
                        trusted,
                        trustOnFirstUse,
                        witnessKeys,
                        minWitnesses != null ? minWitnesses : witnessKeys.size());
            } catch (IllegalArgumentException | UncheckedIOException e) {
                System.err.println("countersign: --witness: " + e.getMessage());
                return UNVERIFIABLE;
            }
            if (from.export != null && isZip(from.export)) {
                return EvidenceReport.report(new EvidenceVerifier(
                                JsonMapper.builder().build())
                        .verify(
                                from.export,
                                trust,
                                origin -> state != null ? VerifierState.at(state) : VerifierState.forOrigin(origin)));
            }
            LogVerifier.Outcome outcome;
            try (AuditSource source = from.open(token(token))) {
                outcome = new LogVerifier(JsonMapper.builder().build())
                        .verify(
                                source,
                                trust,
                                origin -> state != null ? VerifierState.at(state) : VerifierState.forOrigin(origin));
            } catch (SourceException e) {
                System.err.println(
                        "audit verify " + (e.damaged() ? "FAILED: " : "could not verify: ") + e.getMessage());
                return e.damaged() ? FAILED : UNVERIFIABLE;
            } catch (IOException e) {
                System.err.println("audit verify could not verify: " + e.getMessage());
                return UNVERIFIABLE;
            }
            return report(outcome);
        }

        private static int report(LogVerifier.Outcome outcome) {
            return switch (outcome) {
                case LogVerifier.Verified ok -> {
                    Checkpoint checkpoint = ok.checkpoint();
                    System.out.println("verified: " + ok.entries() + " entries of log '" + checkpoint.origin()
                            + "', checkpoint size " + checkpoint.size() + " root "
                            + Base64.getEncoder().encodeToString(checkpoint.rootHash()) + ", signed by " + ok.key());
                    ok.notes().forEach(note -> System.out.println("  " + note));
                    yield VERIFIED;
                }
                case LogVerifier.Failed failed -> {
                    System.err.println("audit verify FAILED: " + failed.problem());
                    failed.notes().forEach(note -> System.err.println("  " + note));
                    yield FAILED;
                }
                case LogVerifier.Unverifiable unverifiable -> {
                    System.err.println("audit verify could not verify: " + unverifiable.reason());
                    unverifiable.notes().forEach(note -> System.err.println("  " + note));
                    yield UNVERIFIABLE;
                }
            };
        }
    }

    @Command(
            name = "export",
            description =
                    "Write the entries of the newest checkpoint, the checkpoint and the key into one file that verifies offline.")
    static final class Export implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Live from;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the export file to write")
        Path out;

        @Option(
                names = "--key",
                paramLabel = "KEY",
                description =
                        "the verifier key to record and check the checkpoint with (default: the one the source offers)")
        String key;

        @Option(names = "--token", paramLabel = "TOKEN", description = TOKEN_HELP)
        String token;

        @Override
        public Integer call() throws IOException {
            try (AuditSource source = from.open(token(token))) {
                NoteVerifier verifier = parseKey(key)
                        .or(() -> offered(source))
                        .orElseThrow(() -> new IllegalArgumentException(
                                "the " + source.describe() + " offers no verifier key; pass --key"));
                ExportFile.Written written = ExportFile.write(source, verifier, out);
                System.out.println("exported " + written.entries() + " entries of log '"
                        + written.checkpoint().origin() + "' (checkpoint size "
                        + written.checkpoint().size() + ") to " + out);
                if (!written.matches()) {
                    System.err.println(
                            "warning: the entries do not hash to the checkpoint's root; 'countersign audit verify' will name the first bad entry");
                    return FAILED;
                }
                return 0;
            } catch (SourceException e) {
                System.err.println("countersign: " + e.getMessage());
                return FAILED;
            }
        }
    }

    @Command(
            name = "prove",
            description =
                    "Print a c2sp.org/tlog-proof for one entry: its inclusion proof under the newest signed checkpoint.")
    static final class Prove implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Live from;

        @Option(names = "--index", required = true, paramLabel = "N", description = "the entry's seq")
        long index;

        @Option(
                names = "--out",
                paramLabel = "FILE",
                description = "write the proof here instead of to standard output")
        Path out;

        @Option(names = "--token", paramLabel = "TOKEN", description = TOKEN_HELP)
        String token;

        @Override
        public Integer call() throws IOException {
            try (AuditSource source = from.open(token(token))) {
                SignedCheckpoint checkpoint = SignedCheckpoint.parse(source.checkpoint());
                long size = checkpoint.checkpoint().size();
                if (index < 0 || index >= size) {
                    System.err.println("countersign: entry " + index + " is not covered by the newest checkpoint (size "
                            + size + "); a gateway signs one within its checkpoint interval");
                    return FAILED;
                }
                InclusionProof inclusion = source instanceof DataFolderSource data
                        ? data.inclusion(index, size)
                        : ((ServerSource) source).inclusion(index, size);
                String proof = TlogProof.of(inclusion, checkpoint).format();
                if (out != null) {
                    Files.writeString(out, proof, StandardCharsets.UTF_8);
                } else {
                    System.out.print(proof);
                }
                return 0;
            } catch (SourceException | TlogException e) {
                System.err.println("countersign: " + e.getMessage());
                return FAILED;
            }
        }
    }

    @Command(
            name = "key",
            description =
                    "Print the verifier key of the signing key in a data folder (or a key file): what auditors pass to --key.")
    static final class Key implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Option(
                names = "--signing-key",
                paramLabel = "FILE",
                description = "a signing key file elsewhere (audit.signingKeyFile)")
        Path signingKey;

        @Override
        public Integer call() {
            Path file = signingKey != null ? signingKey : data.signingKeyFile();
            Optional<NoteSigner> key = AuditSigningKey.readIfPresent(file);
            if (key.isEmpty()) {
                System.err.println(
                        "countersign: no signing key at " + file + "; the gateway creates it on first start");
                return FAILED;
            }
            System.out.println(key.get().verifier());
            return 0;
        }
    }

    @Command(
            name = "keygen",
            description =
                    "Create a new audit signing key file (mode 0600) for audit.signingKeyFile; prints its verifier key.")
    static final class Keygen implements Callable<Integer> {
        @Option(
                names = "--origin",
                required = true,
                description = "the log's origin, also the key's name, e.g. countersign.example.com/audit")
        String origin;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                description = "the key file to create; never overwritten")
        Path out;

        @Override
        public Integer call() {
            NoteSigner key = NoteSigner.generate(origin);
            if (!AuditSigningKey.write(out, key)) {
                System.err.println("countersign: " + out + " exists; not overwritten");
                return FAILED;
            }
            PrintStream stdout = System.out;
            stdout.println("Created " + out + ". Its verifier key:");
            stdout.println(key.verifier());
            return 0;
        }
    }

    /** An evidence package (a zip) rather than a log export: they share --export, the first bytes tell them apart. */
    private static boolean isZip(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return EvidencePackage.looksLikeZip(in.readNBytes(4));
        } catch (IOException e) {
            return false; // the export reader reports it
        }
    }

    /** How {@code audit verify} reports on an evidence package. */
    private static final class EvidenceReport {
        static int report(EvidenceVerifier.Outcome outcome) {
            return switch (outcome) {
                case EvidenceVerifier.Verified ok -> {
                    Checkpoint checkpoint = ok.checkpoint();
                    System.out.println("verified: evidence package for "
                            + ok.period().from() + " to " + ok.period().to() + ", " + ok.files()
                            + " files, every one rebuilt from the " + ok.cited() + " cited entries of log '"
                            + checkpoint.origin()
                            + "', each proven under the checkpoint of size " + checkpoint.size() + " root "
                            + Base64.getEncoder().encodeToString(checkpoint.rootHash()) + ", signed by " + ok.key());
                    ok.notes().forEach(note -> System.out.println("  " + note));
                    yield VERIFIED;
                }
                case EvidenceVerifier.Failed failed -> {
                    System.err.println("audit verify FAILED: " + failed.problem());
                    yield FAILED;
                }
                case EvidenceVerifier.Unverifiable unverifiable -> {
                    System.err.println("audit verify could not verify: " + unverifiable.reason());
                    yield UNVERIFIABLE;
                }
            };
        }
    }

    private static Optional<NoteVerifier> parseKey(String key) {
        if (key == null) {
            return Optional.empty();
        }
        return Optional.of(NoteVerifier.parse(readKey(key)));
    }

    /** A key given on the command line, or read from the file after '@'. */
    private static String readKey(String key) {
        if (!key.startsWith("@")) {
            return key.strip();
        }
        try {
            return Files.readString(Path.of(key.substring(1)), StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the key file " + key.substring(1) + ": " + e.getMessage(), e);
        }
    }

    private static Optional<NoteVerifier> offered(AuditSource source) {
        try {
            return source.offeredKey().map(NoteVerifier::parse);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SourceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
