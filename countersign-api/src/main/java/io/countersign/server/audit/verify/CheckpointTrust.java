package io.countersign.server.audit.verify;

import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.server.audit.verify.LogVerifier.Failed;
import io.countersign.server.audit.verify.LogVerifier.Outcome;
import io.countersign.server.audit.verify.LogVerifier.Trust;
import io.countersign.server.audit.verify.LogVerifier.Unverifiable;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteException;
import io.countersign.tlog.note.NoteSignature;
import io.countersign.tlog.note.NoteVerifier;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether the newest checkpoint is one to check the entries against: which key to trust (an
 * explicit one, else the remembered one, else, only if allowed, the one the source offers), that
 * an export records that key, that the key signed the checkpoint, and that enough trusted
 * witnesses cosigned it.
 */
final class CheckpointTrust {
    private static final HexFormat HEX = HexFormat.of();

    private CheckpointTrust() {}

    /** The trusted key and the checkpoint it signed, or the outcome that ends the verification. */
    sealed interface Result permits Trusted, Refused {}

    record Trusted(NoteVerifier key, Checkpoint checkpoint) implements Result {}

    record Refused(Outcome outcome) implements Result {}

    /**
     * @param remembered what {@code state} remembers for the checkpoint's origin
     * @param notes gets what is worth saying either way: a differing remembered key, a key
     *     trusted on first use, who cosigned
     */
    static Result establish(
            AuditSource source,
            Trust trust,
            SignedCheckpoint signed,
            VerifierState state,
            Optional<VerifierState.Remembered> remembered,
            List<String> notes)
            throws IOException, SourceException {
        NoteVerifier key;
        if (trust.key().isPresent()) {
            key = trust.key().get();
            remembered
                    .filter(r -> !r.key().equals(key))
                    .ifPresent(r ->
                            notes.add("the given key differs from the key " + r.key() + " remembered in " + state.file()
                                    + "; the given key is used, and the remembered checkpoint is still checked"));
        } else if (remembered.isPresent()) {
            key = remembered.get().key();
        } else if (trust.trustOnFirstUse()) {
            Optional<String> offered = source.offeredKey();
            if (offered.isEmpty()) {
                return new Refused(
                        new Unverifiable("the " + source.describe() + " offers no verifier key; pass --key", notes));
            }
            try {
                key = NoteVerifier.parse(offered.get());
            } catch (IllegalArgumentException e) {
                return new Refused(new Failed(
                        "the verifier key the " + source.describe() + " offers is malformed: " + e.getMessage(),
                        notes));
            }
            notes.add("trusting on first use the key " + key + " offered by the " + source.describe()
                    + "; it is pinned in " + state.file() + " from now on");
        } else {
            return new Refused(new Unverifiable(
                    "no trusted key for the log '" + signed.checkpoint().origin()
                            + "': pass --key <verifier key> (GET /v1/audit/key"
                            + " through a channel you trust, or your own records), or --trust-on-first-use to pin the key the "
                            + source.describe() + " offers",
                    notes));
        }

        if (source instanceof ExportSource export
                && !export.offeredKey().orElseThrow().equals(key.format())) {
            // The key line is part of the file: a changed byte there is a changed file.
            return new Refused(new Failed(
                    "the " + source.describe() + " records the key '"
                            + export.offeredKey().orElseThrow() + "', not the trusted key " + key,
                    notes));
        }
        Checkpoint checkpoint;
        try {
            checkpoint = signed.verify(key);
        } catch (NoteException e) {
            return new Refused(new Failed(
                    "the checkpoint of size " + signed.checkpoint().size() + " is not signed by the trusted key " + key
                            + ": " + e.getMessage() + " (signed by " + signers(signed) + ")"
                            + offeredKeyHint(source, key),
                    notes));
        } catch (TlogException e) {
            return new Refused(new Failed(
                    "the checkpoint does not belong to the trusted key " + key + ": " + e.getMessage(), notes));
        }
        Optional<String> unwitnessed = WitnessQuorum.check(signed, trust.witnesses(), trust.minWitnesses(), notes);
        if (unwitnessed.isPresent()) {
            return new Refused(new Failed(unwitnessed.get(), notes));
        }
        return new Trusted(key, checkpoint);
    }

    private static String signers(SignedCheckpoint signed) {
        return signed.note().signatures().stream()
                .map((NoteSignature signature) ->
                        "'" + signature.keyName() + "' key id " + HEX.toHexDigits(signature.keyId()))
                .collect(Collectors.joining(", "));
    }

    private static String offeredKeyHint(AuditSource source, NoteVerifier trusted) {
        try {
            return source.offeredKey()
                    .filter(offered -> !offered.equals(trusted.format()))
                    .map(offered -> "; the " + source.describe() + " now offers the key " + offered)
                    .orElse("");
        } catch (IOException | SourceException | RuntimeException e) {
            return "";
        }
    }
}
