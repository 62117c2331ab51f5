package io.countersign.server.audit.verify;

import static java.util.Objects.requireNonNull;

import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.WitnessKey;
import io.countersign.tlog.note.NoteException;
import io.countersign.tlog.note.NoteSignature;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.ProofVerificationException;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.InMemoryHashStore;
import io.countersign.tlog.tree.TreeHasher;
import io.countersign.tlog.tree.TreeReader;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign audit verify}: checks a log without trusting its source.
 *
 * <ol>
 *   <li>The newest checkpoint is signed by the trusted key and names the key's origin.
 *   <li>Every entry it covers is there, in order: entry i's {@code seq} is i.
 *   <li>The entries' RFC 6962 root is the checkpoint's root: every leaf hash is recomputed.
 *   <li>The log only grew since the last checkpoint this verifier accepted for the origin
 *       (remembered in a {@link VerifierState}): same root at that size, and the source's
 *       consistency proof verifies.
 *   <li>For a data folder: every older stored checkpoint signed by the key matches the entries.
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
    private static final HexFormat HEX = HexFormat.of();

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
                    : new Unverifiable(e.getMessage(), notes);
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
        String origin = signed.checkpoint().origin();
        VerifierState state = stateForOrigin.apply(origin);
        Optional<VerifierState.Remembered> remembered = state.load();

        NoteVerifier key;
        if (trust.key().isPresent()) {
            key = trust.key().get();
            remembered
                    .filter(r -> !r.key().equals(key))
                    .ifPresent(r ->
                            notes.add("the given key differs from the key " + r.key() + " remembered in " + state.file()
                                    + "; the given key is used, and the remembered checkpoint is still checked"));
        } else if (remembered.isPresent()) {
            key = remembered.get().key();
        } else if (trust.trustOnFirstUse()) {
            Optional<String> offered = source.offeredKey();
            if (offered.isEmpty()) {
                return new Unverifiable("the " + source.describe() + " offers no verifier key; pass --key", notes);
            }
            try {
                key = NoteVerifier.parse(offered.get());
            } catch (IllegalArgumentException e) {
                return new Failed(
                        "the verifier key the " + source.describe() + " offers is malformed: " + e.getMessage(), notes);
            }
            notes.add("trusting on first use the key " + key + " offered by the " + source.describe()
                    + "; it is pinned in " + state.file() + " from now on");
        } else {
            return new Unverifiable(
                    "no trusted key for the log '" + origin + "': pass --key <verifier key> (GET /v1/audit/key"
                            + " through a channel you trust, or your own records), or --trust-on-first-use to pin the key the "
                            + source.describe() + " offers",
                    notes);
        }

        if (source instanceof ExportSource export
                && !export.offeredKey().orElseThrow().equals(key.format())) {
            // The key line is part of the file: a changed byte there is a changed file.
            return new Failed(
                    "the " + source.describe() + " records the key '"
                            + export.offeredKey().orElseThrow() + "', not the trusted key " + key,
                    notes);
        }
        Checkpoint checkpoint;
        try {
            checkpoint = signed.verify(key);
        } catch (NoteException e) {
            return new Failed(
                    "the checkpoint of size " + signed.checkpoint().size() + " is not signed by the trusted key " + key
                            + ": " + e.getMessage() + " (signed by " + signers(signed) + ")"
                            + offeredKeyHint(source, key),
                    notes);
        } catch (TlogException e) {
            return new Failed(
                    "the checkpoint does not belong to the trusted key " + key + ": " + e.getMessage(), notes);
        }
        Optional<String> unwitnessed = WitnessQuorum.check(signed, trust.witnesses(), trust.minWitnesses(), notes);
        if (unwitnessed.isPresent()) {
            return new Failed(unwitnessed.get(), notes);
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

        Scan scan = scan(source, size);
        TreeReader local = new TreeReader(scan.tree);
        long upper = scan.problemAt >= 0 ? scan.problemAt : Math.min(scan.count, size);
        String problem = scan.problem;
        if (problem == null && scan.count < size) {
            problem = "entry " + scan.count + " missing: the checkpoint covers " + size + " entries, the "
                    + source.describe() + " has " + scan.count;
        }
        boolean prefixGood = upper == size
                ? MessageDigest.isEqual(local.rootAt(size), root)
                : good(source, local, upper, size, root).orElse(true);
        if (!prefixGood) {
            if (upper == size) {
                notes.add(rootMismatch(size, root, local.rootAt(size), "the checkpoint"));
            }
            return new Failed(locate(source, local, upper, size, root), notes);
        }
        if (problem != null) {
            return new Failed(problem, notes);
        }
        if (scan.listedMismatch >= 0) {
            return new Failed(
                    "entry " + scan.listedMismatch + ": its leaf hash differs from the one listed for it in the "
                            + source.describe() + " (the hash list was changed; the entries match the checkpoint)",
                    notes);
        }

        if (before.isPresent() && before.get().size() > 0) {
            Checkpoint previous = before.get();
            byte[] ours = local.rootAt(previous.size());
            if (!MessageDigest.isEqual(ours, previous.rootHash())) {
                return new Failed(
                        rootMismatch(
                                        previous.size(),
                                        previous.rootHash(),
                                        ours,
                                        "the checkpoint verified before (" + state.file() + ")")
                                + ": the log's history was rewritten",
                        notes);
            }
            Optional<ConsistencyProof> proof = source.consistency(previous.size(), size);
            if (proof.isPresent()) {
                try {
                    ProofVerifier.verifyConsistency(proof.get(), previous.rootHash(), root);
                } catch (ProofVerificationException e) {
                    return new Failed(
                            "the " + source.describe() + "'s consistency proof from size " + previous.size() + " to "
                                    + size + " does not verify: " + e.getMessage(),
                            notes);
                }
            }
            notes.add("consistent with the checkpoint of size " + previous.size() + " verified before (" + state.file()
                    + ")");
        }

        Optional<String> stored = checkStoredCheckpoints(source, key, local, scan.count, notes);
        if (stored.isPresent()) {
            return new Failed(stored.get(), notes);
        }
        Optional<String> tree = StoredTreeCheck.firstBadNode(source, scan.tree, scan.count, notes);
        if (tree.isPresent()) {
            return new Failed(tree.get(), notes);
        }
        Optional<String> row = source.storedRowProblem();
        if (row.isPresent()) {
            return new Failed(row.get(), notes);
        }
        long uncovered = Math.max(0, scan.count - size);
        if (uncovered > 0) {
            notes.add(uncovered
                    + " entries after the checkpoint are not covered by a signed checkpoint yet (the gateway signs one"
                    + " within its checkpoint interval); they are numbered and hashed correctly");
        }
        if (before.isEmpty() || size >= before.get().size()) {
            state.save(key, signed);
        }
        return new Verified(checkpoint, key, Math.min(scan.count, size), uncovered, notes);
    }

    /** What streaming the entries found. */
    private static final class Scan {
        final InMemoryHashStore tree = new InMemoryHashStore();
        long count;
        String problem;
        long problemAt = -1;
        long listedMismatch = -1;
    }

    private Scan scan(AuditSource source, long size) throws IOException, SourceException {
        Scan scan = new Scan();
        TreeHasher hasher = TreeHasher.create();
        source.entries(size, (position, storedSeq, leaf, listedHash) -> {
            if (storedSeq >= 0 && storedSeq != position) {
                scan.problem = storedSeq > position
                        ? "entry " + position + " missing (the next stored entry is " + storedSeq + ")"
                        : "entry " + position + ": stored again after entry " + storedSeq;
                scan.problemAt = position;
                return false;
            }
            long seq = seqs.of(leaf);
            if (seq == EntrySeq.NONE) {
                scan.problem = "entry " + position + ": not an audit entry (no JSON object with a whole-number seq)";
                scan.problemAt = position;
                return false;
            }
            if (seq != position) {
                scan.problem = seq > position
                        ? "entry " + position + " missing: entry " + seq
                                + " is in its place (entries missing or reordered)"
                        : "entry " + position + ": its seq is " + seq + " (entries reordered or duplicated)";
                scan.problemAt = position;
                return false;
            }
            byte[] hash = hasher.hashLeaf(leaf);
            if (listedHash != null && scan.listedMismatch < 0 && !MessageDigest.isEqual(listedHash, hash)) {
                scan.listedMismatch = position;
            }
            scan.tree.append(hash);
            scan.count++;
            return true;
        });
        return scan;
    }

    /**
     * Whether the first {@code m} local entries are a prefix of the signed tree of {@code size}
     * leaves, by the source's consistency proof; empty when the source gives none.
     */
    private static Optional<Boolean> good(AuditSource source, TreeReader local, long m, long size, byte[] root) {
        if (m == 0) {
            return Optional.of(true);
        }
        if (m == size) {
            return Optional.of(MessageDigest.isEqual(local.rootAt(size), root));
        }
        Optional<ConsistencyProof> proof;
        try {
            proof = source.consistency(m, size);
        } catch (RuntimeException e) {
            return Optional.of(false); // the source's own tree is damaged there
        }
        if (proof.isEmpty()) {
            return Optional.empty();
        }
        try {
            ProofVerifier.verifyConsistency(proof.get(), local.rootAt(m), root);
            return Optional.of(true);
        } catch (ProofVerificationException e) {
            return Optional.of(false);
        }
    }

    /** Bisects [0, upper) for the first entry after the longest good prefix; upper is known bad. */
    private static String locate(AuditSource source, TreeReader local, long upper, long size, byte[] root) {
        long lo = 0;
        long hi = upper;
        boolean proven = false;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            Optional<Boolean> good = good(source, local, mid, size, root);
            if (good.isEmpty()) {
                return rootMismatch(size, root, upper == size ? local.rootAt(size) : null, "the checkpoint") + "; the "
                        + source.describe() + " gives no proofs to locate the first bad entry";
            }
            if (good.get()) {
                lo = mid;
                proven = true;
            } else {
                hi = mid;
            }
        }
        String entry = "entry " + lo + ": leaf hash does not match the signed checkpoint of size " + size;
        if (lo == 0 && !proven && upper > 1) {
            return entry + " (or the " + source.describe()
                    + "'s tree nodes were changed too: no prefix of the entries could be"
                    + " proven to be in the checkpoint)";
        }
        return entry + " (entries 0 to " + (lo - 1) + " are proven to be in it; entry " + lo
                + " was changed or replaced)";
    }

    private static Optional<String> checkStoredCheckpoints(
            AuditSource source, NoteVerifier key, TreeReader local, long count, List<String> notes)
            throws SourceException {
        List<String> failures = new ArrayList<>();
        long[] checked = {0};
        long[] otherKeys = {0};
        source.storedCheckpoints(note -> {
            if (!failures.isEmpty()) {
                return;
            }
            Checkpoint stored;
            try {
                stored = SignedCheckpoint.parse(note).verify(key);
            } catch (TlogException | IllegalArgumentException e) {
                otherKeys[0]++;
                return;
            }
            if (stored.size() > count) {
                failures.add("the stored checkpoint of size " + stored.size()
                        + " covers more entries than the log has (" + count + ")");
                return;
            }
            byte[] ours = local.rootAt(stored.size());
            if (!MessageDigest.isEqual(ours, stored.rootHash())) {
                failures.add(rootMismatch(stored.size(), stored.rootHash(), ours, "the stored checkpoint"));
            }
            checked[0]++;
        });
        if (checked[0] > 0) {
            notes.add(checked[0] + " stored checkpoints signed by the key match the entries");
        }
        if (otherKeys[0] > 0) {
            notes.add(otherKeys[0]
                    + " stored checkpoints are not signed by the trusted key (an earlier key?) and were not checked");
        }
        return failures.stream().findFirst();
    }

    static String rootMismatch(long size, byte[] expected, byte[] calculated, String whose) {
        return "root mismatch at size " + size + ": " + whose + " says "
                + Base64.getEncoder().encodeToString(expected)
                + (calculated == null
                        ? ""
                        : ", the entries give " + Base64.getEncoder().encodeToString(calculated));
    }

    private static String signers(SignedCheckpoint signed) {
        return signed.note().signatures().stream()
                .map((NoteSignature signature) ->
                        "'" + signature.keyName() + "' key id " + HEX.toHexDigits(signature.keyId()))
                .collect(Collectors.joining(", "));
    }

    private static String offeredKeyHint(AuditSource source, NoteVerifier trusted) {
        try {
            return source.offeredKey()
                    .filter(offered -> !offered.equals(trusted.format()))
                    .map(offered -> "; the " + source.describe() + " now offers the key " + offered)
                    .orElse("");
        } catch (IOException | SourceException | RuntimeException e) {
            return "";
        }
    }
}
