package io.countersign.server.cli;

import static io.countersign.server.cli.AuditCommand.FAILED;
import static io.countersign.server.cli.AuditCommand.TOKEN_HELP;
import static io.countersign.server.cli.AuditCommand.UNVERIFIABLE;
import static io.countersign.server.cli.AuditCommand.VERIFIED;
import static io.countersign.server.cli.AuditCommand.parseKey;
import static io.countersign.server.cli.AuditCommand.readKey;
import static io.countersign.server.cli.AuditCommand.token;

import io.countersign.server.audit.verify.AuditSource;
import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.server.evidence.EvidencePackage;
import io.countersign.server.evidence.EvidenceVerifier;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.cosignature.WitnessKey;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/** {@code countersign audit verify}: exit 0 verified, 1 verification failed, 2 nothing could be verified. */
@Command(
        name = "verify",
        description = {
            "Recompute every leaf hash and the root, check the checkpoint's signature with the trusted key, check each entry's seq,",
            "and check the log only grew since the last checkpoint verified for its origin. Names the first bad entry.",
            "Exit 0: verified; 1: verification failed; 2: nothing could be verified."
        })
final class AuditVerifyCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.From from;

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
            description = "where the last verified checkpoint is remembered (default ~/.countersign/verified/<origin>)")
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
                    trusted, trustOnFirstUse, witnessKeys, minWitnesses != null ? minWitnesses : witnessKeys.size());
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
            System.err.println("audit verify " + (e.damaged() ? "FAILED: " : "could not verify: ") + e.getMessage());
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
}
