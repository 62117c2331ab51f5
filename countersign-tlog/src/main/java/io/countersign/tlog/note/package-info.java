/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, compatible with Go's
 * golang.org/x/mod/sumdb/note: {@link io.countersign.tlog.note.Note} (parse, format, verify),
 * {@link io.countersign.tlog.note.NoteSigner} (private key, never printed) and
 * {@link io.countersign.tlog.note.NoteVerifier} (public verifier key).
 */
package io.countersign.tlog.note;
