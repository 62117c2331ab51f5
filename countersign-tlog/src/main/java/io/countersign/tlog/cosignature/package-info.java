/**
 * Witness cosignatures (c2sp.org/tlog-cosignature, {@code cosignature/v1}, Ed25519): a witness's
 * timestamped statement that a checkpoint is the largest consistent tree head it has seen for
 * the log. {@link io.countersign.tlog.cosignature.WitnessKey} is a witness's verifier key; it
 * checks the signature lines of a checkpoint's note.
 */
package io.countersign.tlog.cosignature;
