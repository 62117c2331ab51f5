package io.countersign.server.audit.verify;

import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.tlog.tree.InMemoryHashStore;
import io.countersign.tlog.tree.TreeHasher;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What streaming a source's entries found: their leaf hashes in an in-memory tree (about 64 bytes
 * per entry, so that the root of any prefix is at hand), how many were in order, and the first
 * entry out of place. The stream stops at the first entry that is missing, repeated, out of
 * order or no audit entry; a leaf hash that differs from the one the source lists for it (an
 * export's hash list) is only remembered.
 */
final class EntryScan {
    private final InMemoryHashStore tree = new InMemoryHashStore();
    private final TreeHasher hasher = TreeHasher.create();
    private final EntrySeq seqs;
    private long count;
    private @Nullable String problem;
    private long problemAt = -1;
    private long listedMismatch = -1;

    private EntryScan(EntrySeq seqs) {
        this.seqs = seqs;
    }

    /** Streams the entries of {@code source} from 0, at least the {@code size} the checkpoint covers. */
    static EntryScan of(AuditSource source, long size, EntrySeq seqs) throws IOException, SourceException {
        EntryScan scan = new EntryScan(seqs);
        source.entries(size, scan::accept);
        return scan;
    }

    /** The leaf hashes of the entries in order, entry i at leaf i. */
    InMemoryHashStore tree() {
        return tree;
    }

    /** How many entries were in order (all of them, when there is no {@link #problem}). */
    long count() {
        return count;
    }

    /** The first entry out of place, described; empty when every entry streamed was in order. */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** The position of {@link #problem}'s entry, or -1 when there is none. */
    long problemAt() {
        return problemAt;
    }

    /** The first entry whose leaf hash differs from the one the source lists for it, or -1. */
    long listedMismatch() {
        return listedMismatch;
    }

    private boolean accept(long position, long storedSeq, byte[] leaf, byte @Nullable [] listedHash) {
        if (storedSeq >= 0 && storedSeq != position) {
            return stop(
                    position,
                    storedSeq > position
                            ? "entry " + position + " missing (the next stored entry is " + storedSeq + ")"
                            : "entry " + position + ": stored again after entry " + storedSeq);
        }
        long seq = seqs.of(leaf);
        if (seq == EntrySeq.NONE) {
            return stop(
                    position, "entry " + position + ": not an audit entry (no JSON object with a whole-number seq)");
        }
        if (seq != position) {
            return stop(
                    position,
                    seq > position
                            ? "entry " + position + " missing: entry " + seq
                                    + " is in its place (entries missing or reordered)"
                            : "entry " + position + ": its seq is " + seq + " (entries reordered or duplicated)");
        }
        byte[] hash = hasher.hashLeaf(leaf);
        if (listedHash != null && listedMismatch < 0 && !MessageDigest.isEqual(listedHash, hash)) {
            listedMismatch = position;
        }
        tree.append(hash);
        count++;
        return true;
    }

    private boolean stop(long position, String found) {
        problem = found;
        problemAt = position;
        return false;
    }
}
