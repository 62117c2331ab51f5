/**
 * RFC 9162 inclusion and consistency proofs: {@link io.countersign.tlog.proof.ProofBuilder}
 * builds them from stored nodes, {@link io.countersign.tlog.proof.ProofVerifier} checks them.
 * A proof that cannot be checked at all is a {@link io.countersign.tlog.proof.MalformedProofException};
 * one that checks to a different root is a {@link io.countersign.tlog.proof.RootMismatchException}.
 */
package io.countersign.tlog.proof;
