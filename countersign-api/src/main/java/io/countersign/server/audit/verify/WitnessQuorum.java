package io.countersign.server.audit.verify;

import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.Cosignature;
import io.countersign.tlog.cosignature.CosignatureException;
import io.countersign.tlog.cosignature.WitnessKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code audit verify --witness KEY --min-witnesses K}: the checkpoint must carry valid
 * {@code cosignature/v1} lines from at least K of the trusted witness keys. A line that claims
 * to be a trusted witness's and does not verify fails the check whatever the count: it is a
 * forgery or a damaged file, not a missing cosignature.
 */
final class WitnessQuorum {
    private WitnessQuorum() {}

    /** @return the problem, or empty when the quorum holds; {@code notes} gets who cosigned, and when */
    static Optional<String> check(SignedCheckpoint signed, List<WitnessKey> witnesses, int min, List<String> notes) {
        if (witnesses.isEmpty()) {
            return Optional.empty();
        }
        List<String> cosigners = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (WitnessKey witness : witnesses) {
            Optional<Cosignature> found;
            try {
                found = witness.find(signed.checkpoint(), signed.note().signatures());
            } catch (CosignatureException e) {
                return Optional.of(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
            }
            if (found.isPresent()) {
                cosigners.add(witness.name() + " at " + found.get().time());
            } else {
                missing.add(witness.name());
            }
        }
        if (!cosigners.isEmpty()) {
            notes.add("cosigned by " + String.join(", ", cosigners));
        }
        if (cosigners.size() < min) {
            return Optional.of("the checkpoint of size " + signed.checkpoint().size() + " is cosigned by "
                    + cosigners.size() + " of the trusted witnesses, want at least " + min + "; no cosignature from "
                    + String.join(", ", missing));
        }
        return Optional.empty();
    }
}
