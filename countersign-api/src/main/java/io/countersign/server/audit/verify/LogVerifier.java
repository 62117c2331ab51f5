package io.countersign.server.audit.verify;

import static java.util.Objects.requireNonNull;

import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.WitnessKey;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.ProofVerificationException;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.TreeReader;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign audit verify}: checks a log without trusting its source.
 *
 * <ol>
 *   <li>The newest checkpoint is signed by the trusted key and names the key's origin, and
 *       enough trusted witnesses cosigned it ({@link CheckpointTrust}).
 *   <li>Every entry it covers is there, in order: entry i's {@code seq} is i ({@link EntryScan}).
 *   <li>The entries' RFC 6962 root is the checkpoint's root: every leaf hash is recomputed
 *       ({@link FirstBadEntry}, which finds the first bad entry on a mismatch).
 *   <li>The log only grew since the last checkpoint this verifier accepted for the origin
 *       (remembered in a {@link VerifierState}): same root at that size, and the source's
 *       consistency proof verifies.
 *   <li>For a data folder: every older stored checkpoint signed by the key matches the entries
 *       ({@link StoredCheckpointCheck}).
 *   <li>For a data folder or database: every stored Merkle tree node is the hash the entries
 *       give ({@link StoredTreeCheck}), so the proofs served from them verify.
 * </ol>
 * On a root mismatch the first bad entry is found by bisection: the largest prefix of the
 * entries that the source's own consistency proofs show to be a prefix of the signed tree.
 *
 * <p>Entries are hashed into an in-memory tree (about 64 bytes per entry) so that roots of any
 * prefix are at hand.
 */
public final class LogVerifier {
    /**
     * Which key to trust: an explicit one, else the remembered one, else (only if allowed) the one
     * the source offers; and the witnesses of which at least {@code minWitnesses} must have
     * cosigned the checkpoint (none required when {@code witnesses} is empty).
     */
    public record Trust(
            Optional<NoteVerifier> key, boolean trustOnFirstUse, List<WitnessKey> witnesses, int minWitnesses) {
        public Trust {
            requireNonNull(key, "key is null");
            witnesses = List.copyOf(witnesses);
            if (minWitnesses < 0 || minWitnesses > witnesses.size()) {
                throw new IllegalArgumentException("want at least " + minWitnesses + " cosignatures from "
                        + witnesses.size() + " trusted witnesses; pass as many --witness keys");
            }
        }

        public Trust(Optional<NoteVerifier> key, boolean trustOnFirstUse) {
            this(key, trustOnFirstUse, List.of(), 0);
        }
    }

    /** How a verification ended; {@code notes} are things worth saying either way. */
    public sealed interface Outcome permits Verified, Failed, Unverifiable {
        List<String> notes();
    }

    /** Everything checked out; {@code entries} were checked, {@code uncovered} of them after the checkpoint. */
    public record Verified(Checkpoint checkpoint, NoteVerifier key, long entries, long uncovered, List<String> notes)
            implements Outcome {}

    /** The log is not what its checkpoint says: tampered, truncated, rewritten. {@code problem} names the first bad thing. */
    public record Failed(String problem, List<String> notes) implements Outcome {}

    /** Nothing could be checked: no trusted key, unreadable source. Not evidence of tampering by itself. */
    public record Unverifiable(String reason, List<String> notes) implements Outcome {}

    private final EntrySeq seqs;

    public LogVerifier(JsonMapper mapper) {
        this.seqs = new EntrySeq(requireNonNull(mapper, "mapper is null"));
    }

    /**
     * Verifies the log {@code source} holds.
     *
     * @param stateForOrigin the state file for an origin (known only once the checkpoint is read)
     */
    public Outcome verify(AuditSource source, Trust trust, Function<String, VerifierState> stateForOrigin) {
        List<String> notes = new ArrayList<>();
        try {
            return run(source, trust, stateForOrigin, notes);
        } catch (SourceException e) {
            return e.damaged()
                    ? new Failed(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"), notes)
                    : new Unverifiable(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"), notes);
        } catch (IOException e) {
            return new Unverifiable("reading the " + source.describe() + " failed: " + e.getMessage(), notes);
        } catch (IllegalStateException e) {
            return new Unverifiable(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"), notes);
        }
    }

    private Outcome run(
            AuditSource source, Trust trust, Function<String, VerifierState> stateForOrigin, List<String> notes)
            throws IOException, SourceException {
        SignedCheckpoint signed;
        try {
            signed = SignedCheckpoint.parse(source.checkpoint());
        } catch (TlogException | IllegalArgumentException e) {
            return new Failed("the checkpoint of the " + source.describe() + " is malformed: " + e.getMessage(), notes);
        }
        VerifierState state = stateForOrigin.apply(signed.checkpoint().origin());
        Optional<VerifierState.Remembered> remembered = state.load();
        NoteVerifier key;
        Checkpoint checkpoint;
        switch (CheckpointTrust.establish(source, trust, signed, state, remembered, notes)) {
            case CheckpointTrust.Refused(Outcome refusal) -> {
                return refusal;
            }
            case CheckpointTrust.Trusted(NoteVerifier trusted, Checkpoint verified) -> {
                key = trusted;
                checkpoint = verified;
            }
        }
        long size = checkpoint.size();
        byte[] root = checkpoint.rootHash();
        Optional<Checkpoint> before = remembered.map(VerifierState.Remembered::checkpoint);
        if (before.isPresent() && before.get().size() > size) {
            return new Failed(
                    "the log's checkpoint covers " + size + " entries, fewer than the "
                            + before.get().size() + " of the checkpoint verified before (" + state.file()
                            + "): the log was truncated or rolled back",
                    notes);
        }

        EntryScan scan = EntryScan.of(source, size, seqs);
        TreeReader local = new TreeReader(scan.tree());
        Optional<String> bad = FirstBadEntry.against(source, scan, local, size, root, notes);
        if (bad.isPresent()) {
            return new Failed(bad.get(), notes);
        }
        if (before.isPresent() && before.get().size() > 0) {
            Optional<String> rewritten = rewrittenSince(before.get(), source, local, size, root, state);
            if (rewritten.isPresent()) {
                return new Failed(rewritten.get(), notes);
            }
            notes.add("consistent with the checkpoint of size " + before.get().size() + " verified before ("
                    + state.file() + ")");
        }

        Optional<String> stored = StoredCheckpointCheck.firstMismatch(source, key, local, scan.count(), notes);
        if (stored.isPresent()) {
            return new Failed(stored.get(), notes);
        }
        Optional<String> tree = StoredTreeCheck.firstBadNode(source, scan.tree(), scan.count(), notes);
        if (tree.isPresent()) {
            return new Failed(tree.get(), notes);
        }
        Optional<String> row = source.storedRowProblem();
        if (row.isPresent()) {
            return new Failed(row.get(), notes);
        }
        long uncovered = Math.max(0, scan.count() - size);
        if (uncovered > 0) {
            notes.add(uncovered
                    + " entries after the checkpoint are not covered by a signed checkpoint yet (the gateway signs one"
                    + " within its checkpoint interval); they are numbered and hashed correctly");
        }
        if (before.isEmpty() || size >= before.get().size()) {
            state.save(key, signed);
        }
        return new Verified(checkpoint, key, Math.min(scan.count(), size), uncovered, notes);
    }

    /**
     * How the log is not a continuation of the checkpoint verified before ({@code previous}, not
     * empty): its entries give another root at that size, or the source's consistency proof to
     * the new checkpoint fails; empty when it only grew.
     */
    private static Optional<String> rewrittenSince(
            Checkpoint previous, AuditSource source, TreeReader local, long size, byte[] root, VerifierState state) {
        byte[] ours = local.rootAt(previous.size());
        if (!MessageDigest.isEqual(ours, previous.rootHash())) {
            return Optional.of(rootMismatch(
                            previous.size(),
                            previous.rootHash(),
                            ours,
                            "the checkpoint verified before (" + state.file() + ")")
                    + ": the log's history was rewritten");
        }
        Optional<ConsistencyProof> proof = source.consistency(previous.size(), size);
        if (proof.isPresent()) {
            try {
                ProofVerifier.verifyConsistency(proof.get(), previous.rootHash(), root);
            } catch (ProofVerificationException e) {
                return Optional.of("the " + source.describe() + "'s consistency proof from size " + previous.size()
                        + " to " + size + " does not verify: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** "root mismatch at size N: WHOSE says X, the entries give Y", without Y when it is not known. */
    static String rootMismatch(long size, byte[] expected, byte @Nullable [] calculated, String whose) {
        return "root mismatch at size " + size + ": " + whose + " says "
                + Base64.getEncoder().encodeToString(expected)
                + (calculated == null
                        ? ""
                        : ", the entries give " + Base64.getEncoder().encodeToString(calculated));
    }
}
