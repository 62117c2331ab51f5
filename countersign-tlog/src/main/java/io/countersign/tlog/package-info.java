/**
 * A dependency-free RFC 6962 / RFC 9162 / C2SP transparency log.
 *
 * <ul>
 *   <li>{@link io.countersign.tlog.tree}: leaf and node hashing, the storage model (which
 *       node hashes exist), appending and tree heads.
 *   <li>{@link io.countersign.tlog.proof}: building inclusion and consistency proofs from
 *       stored nodes, and verifying them.
 *   <li>{@link io.countersign.tlog.note}: C2SP signed notes with Ed25519 keys.
 *   <li>{@link io.countersign.tlog.checkpoint}: C2SP tlog-checkpoint tree heads.
 *   <li>{@link io.countersign.tlog.tlogproof}: C2SP tlog-proof offline proofs for one entry.
 * </ul>
 *
 * <p>Every refusal to accept input is a {@link io.countersign.tlog.TlogException}.
 */
package io.countersign.tlog;
