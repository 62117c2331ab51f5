package io.countersign.server.audit.verify;

import io.countersign.server.audit.verify.AuditSource.SourceException;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.tree.TreeReader;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares the older signed checkpoints a source keeps (a data folder keeps them all) with the
 * entries: each one the trusted key signed must have the root of that many entries. Checkpoints
 * of other keys (an earlier key) are counted, not checked.
 */
final class StoredCheckpointCheck {
    private StoredCheckpointCheck() {}

    /**
     * The first stored checkpoint signed by {@code key} that the first {@code count} entries
     * ({@code local}) do not match, described; empty when all match.
     */
    static Optional<String> firstMismatch(
            AuditSource source, NoteVerifier key, TreeReader local, long count, List<String> notes)
            throws SourceException {
        List<String> failures = new ArrayList<>();
        long[] checked = {0};
        long[] otherKeys = {0};
        source.storedCheckpoints(note -> {
            if (!failures.isEmpty()) {
                return;
            }
            Checkpoint stored;
            try {
                stored = SignedCheckpoint.parse(note).verify(key);
            } catch (TlogException | IllegalArgumentException e) {
                otherKeys[0]++;
                return;
            }
            if (stored.size() > count) {
                failures.add("the stored checkpoint of size " + stored.size()
                        + " covers more entries than the log has (" + count + ")");
                return;
            }
            byte[] ours = local.rootAt(stored.size());
            if (!MessageDigest.isEqual(ours, stored.rootHash())) {
                failures.add(LogVerifier.rootMismatch(stored.size(), stored.rootHash(), ours, "the stored checkpoint"));
            }
            checked[0]++;
        });
        if (checked[0] > 0) {
            notes.add(checked[0] + " stored checkpoints signed by the key match the entries");
        }
        if (otherKeys[0] > 0) {
            notes.add(otherKeys[0]
                    + " stored checkpoints are not signed by the trusted key (an earlier key?) and were not checked");
        }
        return failures.stream().findFirst();
    }
}
