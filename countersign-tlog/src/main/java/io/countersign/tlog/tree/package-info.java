/**
 * RFC 6962 trees over stored node hashes.
 *
 * <p>Storage scheme: {@link io.countersign.tlog.tree.NodeId NodeId(level, index)} names the
 * perfect subtree over leaves {@code [index * 2^level, (index + 1) * 2^level)}, level 0 being
 * the leaf hashes. A tree of {@code n} leaves stores exactly its complete nodes,
 * {@code (index + 1) * 2^level <= n}: {@code 2n - bitCount(n)} hashes, none of which ever
 * changes. {@link io.countersign.tlog.tree.TreeWriter} says which nodes an append adds;
 * {@link io.countersign.tlog.tree.HashReader} is how storage hands them back, one batched
 * call per tree head or proof.
 */
package io.countersign.tlog.tree;
