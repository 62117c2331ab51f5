package io.countersign.server.evidence;

import io.countersign.audit.AuditEvent;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteSigner;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * How long an export and its offline verification take over a realistic log: a SQLite store with
 * the generated history of {@code countersign.bench.weeks} (default 26) busy weeks, the period
 * being all of it. Not part of the test run; by hand:
 *
 * <pre>./mvnw -o -pl countersign-server test -Dtest=EvidenceExportBench -Dcountersign.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "countersign.bench", matches = "true")
final class EvidenceExportBench {

    @Test
    void exportAndVerify_aHalfYear(@TempDir Path directory) throws Exception {
        int weeks = Integer.getInteger("countersign.bench.weeks", 26);
        Instant start = Instant.parse("2026-01-05T00:00:00Z");
        List<LoggedEvent> events =
                EvidenceSummaryBrowserTest.history(start, weeks).events();
        JsonMapper mapper = JsonMapper.builder().build();
        NoteSigner key = NoteSigner.generate("countersign.example.com/audit");
        EvidencePeriod period = new EvidencePeriod(start, start.plus(Duration.ofDays(7L * weeks)));
        Path zip = directory.resolve("evidence.zip");
        try (SqliteStore store = SqliteStore.open(directory)) {
            for (int i = 0; i < events.size(); i += 1000) {
                List<LoggedEvent> batch = events.subList(i, Math.min(events.size(), i + 1000));
                store.transact(tx -> {
                    for (LoggedEvent event : batch) {
                        tx.append(new AuditEvent(
                                io.countersign.audit.AuditEventType.valueOf(typeName(event.type())),
                                event.time(),
                                event.actor(),
                                event.request(),
                                (tools.jackson.databind.node.ObjectNode) event.data()));
                    }
                    return null;
                });
            }
            long size = store.audit().treeSize();
            byte[] root = store.audit().root(size);
            SignedCheckpoint signed = SignedCheckpoint.sign(new Checkpoint(key.name(), size, root), key);
            store.audit().addCheckpoint(new StoredCheckpoint(size, root, signed.format(), Instant.now()));

            long began = System.nanoTime();
            EvidenceExporter.Exported exported;
            try (OutputStream out = Files.newOutputStream(zip)) {
                exported = new EvidenceExporter(store, key.verifier(), mapper).export(period, out);
            }
            System.out.printf(
                    "export: %d requests, %d entries cited of %d, %.0f KB zip, %d ms%n",
                    exported.requests(),
                    exported.cited(),
                    size,
                    Files.size(zip) / 1024.0,
                    (System.nanoTime() - began) / 1_000_000);
        }
        long began = System.nanoTime();
        EvidenceVerifier.Outcome outcome = new EvidenceVerifier(mapper)
                .verify(
                        zip,
                        new LogVerifier.Trust(Optional.of(key.verifier()), false),
                        origin -> VerifierState.at(directory.resolve("state")));
        System.out.printf(
                "verify: %s, %d ms%n", outcome.getClass().getSimpleName(), (System.nanoTime() - began) / 1_000_000);
        if (!(outcome instanceof EvidenceVerifier.Verified)) {
            throw new AssertionError(outcome);
        }
    }

    private static String typeName(String wireName) {
        for (io.countersign.audit.AuditEventType type : io.countersign.audit.AuditEventType.values()) {
            if (type.wireName().equals(wireName)) {
                return type.name();
            }
        }
        throw new IllegalArgumentException(wireName);
    }
}
