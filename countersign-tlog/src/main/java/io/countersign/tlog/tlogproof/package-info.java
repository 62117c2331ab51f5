/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): a self-contained, offline-verifiable proof
 * that one entry is in the log, made of the entry's index, its inclusion proof and a signed
 * checkpoint.
 */
package io.countersign.tlog.tlogproof;
