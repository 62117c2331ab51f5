package io.countersign.server;

import io.countersign.workflow.Notifier;
import java.util.Optional;

/**
 * Tells the admins ({@link AdminNotices}: every channel that takes notices, and the log) that the
 * checkpointer found an audit entry no gateway node wrote. The checkpointer starts (and checks)
 * before the channels exist, so an entry found then is told once they are wired.
 */
final class UnauthenticatedEntryAlarm {
    private Optional<Notifier> admins = Optional.empty(); // guarded by this
    private Optional<Long> pending = Optional.empty(); // guarded by this

    synchronized void wire(Notifier adminNotices) {
        this.admins = Optional.of(adminNotices);
        pending.ifPresent(this::tell);
        pending = Optional.empty();
    }

    synchronized void raise(long seq) {
        if (admins.isEmpty()) {
            pending = Optional.of(seq);
            return;
        }
        tell(seq);
    }

    private void tell(long seq) {
        admins.orElseThrow()
                .notifyGroup(new Notifier.Notice(
                        "admins",
                        "Audit entry " + seq + " was not written by Countersign",
                        "The audit log holds an entry (" + seq
                                + ") whose MAC does not verify: something other than a gateway node appended it to"
                                + " the database. No checkpoint will cover it or any later entry. Run 'countersign audit verify --data' and review who"
                                + " can write the database.",
                        Optional.empty()));
    }
}
