package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.workflow.Store;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records an evidence export as {@code evidence.exported}: who pulled which evidence, through
 * which door (the API, the console, the command line), and the manifest's hash, so that a
 * package someone hands over can be matched to an export the log knows. An access record only:
 * verification rebuilds every file from the proven entries and does not rest on it.
 */
public final class EvidenceExports {
    private EvidenceExports() {}

    /**
     * Appends the entry, after the export (it lies past the package's checkpoint).
     *
     * @param by the actor's audit name: {@code human:<name>} of the caller or of the command line's {@code --as}
     * @param via {@code api}, {@code console} or {@code cli}
     */
    public static void record(
            Store store,
            Clock clock,
            String by,
            String via,
            EvidencePeriod period,
            EvidenceExporter.Exported exported) {
        requireNonNull(store, "store is null");
        requireNonNull(by, "by is null");
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("from", period.from().toString());
        data.put("to", period.to().toString());
        data.put("requests", exported.requests());
        data.put("checkpointSize", exported.logSize());
        data.put("manifestSha256", exported.manifestSha256());
        data.put("via", requireNonNull(via, "via is null"));
        store.transact(tx -> tx.append(new AuditEvent(
                AuditEventType.EVIDENCE_EXPORTED,
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                by,
                Optional.empty(),
                data)));
    }
}
