package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.ApiProblem;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.proof.ConsistencyProof;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.proof.ProofVerificationException;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.TreeHasher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a proof built from the stored tree before it is served. A stored node that was changed
 * (the database edited behind the gateway's back) leaves the entries and the signed root as they
 * were and only makes the proofs built from it wrong; a client would then see an honest entry
 * fail against an honest checkpoint. So the proof is verified first, against the hash of the
 * stored entry (not the stored leaf node) and against the signed root when the size is the latest
 * checkpoint's (what clients ask for by default), else against the root from the stored tree; a
 * proof that fails is not served.
 */
final class ServedProofCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ServedProofCheck.class);

    private final GatewayStore store;

    ServedProofCheck(GatewayStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    InclusionProof inclusion(InclusionProof proof) {
        byte[] leafHash = TreeHasher.leafHash(
                store.auditLeaves(proof.index(), proof.index() + 1).getFirst());
        try {
            ProofVerifier.verifyInclusion(leafHash, proof, rootAt(proof.size()));
            return proof;
        } catch (ProofVerificationException e) {
            throw damaged("the inclusion proof of entry " + proof.index() + " in the tree of size " + proof.size(), e);
        }
    }

    ConsistencyProof consistency(ConsistencyProof proof) {
        try {
            ProofVerifier.verifyConsistency(proof, rootAt(proof.from()), rootAt(proof.to()));
            return proof;
        } catch (ProofVerificationException e) {
            throw damaged("the consistency proof from size " + proof.from() + " to " + proof.to(), e);
        }
    }

    private byte[] rootAt(long size) {
        return store.audit()
                .latestCheckpoint()
                .filter(latest -> latest.size() == size)
                .map(StoredCheckpoint::root)
                .orElseGet(() -> store.audit().root(size));
    }

    private static ApiProblem damaged(String what, ProofVerificationException e) {
        LOG.error(
                "{} built from the stored Merkle tree does not verify ({}): a stored tree node was changed outside Countersign;"
                        + " run 'countersign audit verify' on the database to find it",
                what,
                e.getMessage());
        return new ApiProblem(
                500,
                "audit-tree-damaged",
                "The stored audit tree is damaged",
                what
                        + " built from the stored tree does not verify against the log's entries and root, so it is not served;"
                        + " the log's operator has to restore the tree ('countersign audit verify' names the bad node)");
    }
}
