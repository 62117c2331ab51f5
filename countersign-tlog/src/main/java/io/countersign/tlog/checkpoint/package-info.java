/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the tree head a log signs, as the
 * text of a signed note: origin, tree size, base64 root hash, optional extension lines.
 */
package io.countersign.tlog.checkpoint;
