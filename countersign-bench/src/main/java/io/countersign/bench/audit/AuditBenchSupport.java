package io.countersign.bench.audit;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.store.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Shared by the audit measurements: a realistic event, bulk filling a store, cleaning up. */
final class AuditBenchSupport {
    private AuditBenchSupport() {}

    /** A decision.made-sized event (about 300 bytes of canonical JSON). */
    static AuditEvent event(long i) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("effect", "allow");
        data.putArray("rules").add("reads-are-free");
        data.put("policyVersion", "sha256:4b16d3495bbbc6312fa4e7c22d6e3741361b0445877fb112db7f1806e120d217");
        data.put("reason", "matched rule reads-are-free");
        return new AuditEvent(
                AuditEventType.DECISION_MADE,
                Instant.ofEpochMilli(1_767_000_000_000L + i),
                "agent:etl-nightly",
                Optional.of("req_" + Long.toHexString(0x1000_0000_0000L + i)),
                data);
    }

    /** Appends {@code count} entries, {@code perTransaction} at a time (fast bulk filling, not what the gateway does). */
    static void fill(SqliteStore store, long count, int perTransaction) {
        for (long done = 0; done < count; ) {
            long from = done;
            int n = (int) Math.min(perTransaction, count - done);
            store.transact(tx -> {
                for (int i = 0; i < n; i++) {
                    tx.append(event(from + i));
                }
                return null;
            });
            done += n;
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
