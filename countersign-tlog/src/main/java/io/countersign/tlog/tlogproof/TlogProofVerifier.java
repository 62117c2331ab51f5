package io.countersign.tlog.tlogproof;

import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.TreeHasher;
import java.util.Objects;

/** Verifies a {@link TlogProof} offline, given the entry and the log's verifier key. */
public final class TlogProofVerifier {
    private TlogProofVerifier() {}

    /**
     * Checks that {@code entry} (the exact leaf bytes) is at the proof's index in the tree of
     * the proof's checkpoint, and that the log's key signed that checkpoint.
     *
     * @return the verified checkpoint
     * @throws TlogException the first check that failed: {@code NoteException} or
     *     {@code CheckpointException} for the checkpoint, {@code ProofVerificationException}
     *     for the inclusion proof
     */
    public static Checkpoint verify(TlogProof proof, byte[] entry, NoteVerifier logKey) throws TlogException {
        Objects.requireNonNull(entry, "entry is null");
        Checkpoint checkpoint = proof.checkpoint().verify(logKey);
        ProofVerifier.verifyInclusion(
                TreeHasher.leafHash(entry), proof.index(), checkpoint.size(), proof.hashes(), checkpoint.rootHash());
        return checkpoint;
    }

    /** Parses and verifies a proof in one step. */
    public static Checkpoint verify(String proof, byte[] entry, NoteVerifier logKey) throws TlogException {
        return verify(TlogProof.parse(proof), entry, logKey);
    }
}
