package io.countersign.server.audit.verify;

import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.ProofVerificationException;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.TreeReader;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Whether the streamed entries are the ones the signed checkpoint covers, and if not, which is
 * the first bad one. The root of all {@code size} entries must be the checkpoint's; when an
 * entry is out of place, the entries before it must be a prefix of the signed tree, by the
 * source's own consistency proof. On a mismatch the first bad entry is found by bisection: the
 * largest prefix of the entries that the source's consistency proofs show to be a prefix of the
 * signed tree.
 */
final class FirstBadEntry {
    private FirstBadEntry() {}

    /**
     * The first problem of the entries {@code scan} streamed against the checkpoint of
     * {@code size} entries and {@code root}: a changed entry (located), one out of place or
     * missing, or a changed hash list; empty when the entries are exactly the signed ones.
     *
     * @param notes gets the root mismatch when all {@code size} entries were there but their root differs
     */
    static Optional<String> against(
            AuditSource source, EntryScan scan, TreeReader local, long size, byte[] root, List<String> notes) {
        long upper = scan.problemAt() >= 0 ? scan.problemAt() : Math.min(scan.count(), size);
        Optional<String> problem = scan.problem();
        if (problem.isEmpty() && scan.count() < size) {
            problem = Optional.of("entry " + scan.count() + " missing: the checkpoint covers " + size + " entries, the "
                    + source.describe() + " has " + scan.count());
        }
        boolean prefixGood = upper == size
                ? MessageDigest.isEqual(local.rootAt(size), root)
                : good(source, local, upper, size, root).orElse(true);
        if (!prefixGood) {
            if (upper == size) {
                notes.add(LogVerifier.rootMismatch(size, root, local.rootAt(size), "the checkpoint"));
            }
            return Optional.of(locate(source, local, upper, size, root));
        }
        if (problem.isPresent()) {
            return problem;
        }
        if (scan.listedMismatch() >= 0) {
            return Optional.of("entry " + scan.listedMismatch()
                    + ": its leaf hash differs from the one listed for it in the " + source.describe()
                    + " (the hash list was changed; the entries match the checkpoint)");
        }
        return Optional.empty();
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
                return LogVerifier.rootMismatch(size, root, upper == size ? local.rootAt(size) : null, "the checkpoint")
                        + "; the " + source.describe() + " gives no proofs to locate the first bad entry";
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
}
