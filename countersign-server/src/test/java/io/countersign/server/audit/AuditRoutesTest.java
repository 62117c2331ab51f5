package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.CompactRange;
import io.countersign.tlog.tree.TreeHasher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The public audit API: what it serves verifies with the tlog library against the signed checkpoint. */
class AuditRoutesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;

    static AuditGateway gateway;
    static NoteVerifier key;
    static Checkpoint checkpoint;
    static List<byte[]> entries;

    @BeforeAll
    static void startAndFill() throws Exception {
        String agent = AuditGateway.agentKey(dir.resolve("data"), "reporter");
        gateway = new AuditGateway(
                dir,
                AuditConfig.defaults()
                        .withOrigin("countersign.test/routes")
                        .withCheckpointInterval(Duration.ofMillis(100)));
        for (int i = 0; i < 6; i++) {
            assertThat(gateway.query(agent, "db/prod/t" + i).statusCode()).isEqualTo(200);
        }
        key = NoteVerifier.parse(gateway.get("/v1/audit/key").body());
        long size = Long.parseLong(gateway.get("/v1/audit/entries")
                .headers()
                .firstValue("X-Audit-Size")
                .orElseThrow());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            checkpoint =
                    SignedCheckpoint.open(gateway.get("/v1/audit/checkpoint").body(), key);
        } while (checkpoint.size() < size && System.nanoTime() < deadline);
        assertThat(checkpoint.size()).isEqualTo(size);
        entries = new ArrayList<>();
        for (String line :
                gateway.get("/v1/audit/entries?start=0&end=" + size).body().split("\n")) {
            entries.add(line.getBytes(StandardCharsets.UTF_8));
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void key_isANoteVerifierKeyNamedByTheOrigin() {
        HttpResponse<String> response = gateway.get("/v1/audit/key");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(response.body()).matches("countersign\\.test/routes\\+[0-9a-f]{8}\\+A[A-Za-z0-9+/]{43}");
    }

    @Test
    void checkpoint_isASignedNoteCoveringTheEntries() {
        HttpResponse<String> response = gateway.get("/v1/audit/checkpoint");

        assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                .matches("(?i)text/plain; ?charset=utf-8");
        assertThat(response.body())
                .startsWith("countersign.test/routes\n")
                .contains("\n\n\u2014 countersign.test/routes ");
        CompactRange range = CompactRange.empty();
        entries.forEach(range::appendEntry);
        assertThat(range.root()).isEqualTo(checkpoint.rootHash());
    }

    @Test
    void inclusionProofs_verifyAgainstTheCheckpoint() throws Exception {
        for (int index = 0; index < entries.size(); index++) {
            JsonNode proof = json("/v1/audit/proof/inclusion?index=" + index + "&size=" + checkpoint.size());

            assertThat(proof.path("index").longValue()).isEqualTo(index);
            assertThat(proof.path("size").longValue()).isEqualTo(checkpoint.size());
            ProofVerifier.verifyInclusion(
                    TreeHasher.leafHash(entries.get(index)),
                    index,
                    checkpoint.size(),
                    hashes(proof),
                    checkpoint.rootHash());
        }
    }

    @Test
    void consistencyProofs_verifyFromEveryEarlierSize() throws Exception {
        CompactRange range = CompactRange.empty();
        for (int from = 1; from <= entries.size(); from++) {
            range.appendEntry(entries.get(from - 1));
            JsonNode proof = json("/v1/audit/proof/consistency?from=" + from + "&to=" + checkpoint.size());

            assertThat(proof.path("from").longValue()).isEqualTo(from);
            ProofVerifier.verifyConsistency(
                    from, checkpoint.size(), range.root(), checkpoint.rootHash(), hashes(proof));
        }
    }

    @Test
    void sizes_defaultToTheLatestCheckpoint() throws Exception {
        JsonNode proof = json("/v1/audit/proof/inclusion?index=0");

        assertThat(proof.path("size").longValue()).isGreaterThanOrEqualTo(checkpoint.size());
    }

    @Test
    void badParameters_areProblems() {
        long beyond = checkpoint.size() + 1_000;
        for (String path : List.of(
                "/v1/audit/proof/inclusion",
                "/v1/audit/proof/inclusion?index=x&size=3",
                "/v1/audit/proof/inclusion?index=3&size=3",
                "/v1/audit/proof/inclusion?index=-1&size=3",
                "/v1/audit/proof/inclusion?index=0&size=" + beyond,
                "/v1/audit/proof/consistency?to=3",
                "/v1/audit/proof/consistency?from=0&to=3",
                "/v1/audit/proof/consistency?from=4&to=3",
                "/v1/audit/proof/consistency?from=1&to=" + beyond,
                "/v1/audit/entries?start=0&end=" + beyond)) {
            HttpResponse<String> response = gateway.get(path);

            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                    .as(path)
                    .startsWith("application/problem+json");
        }
        assertThat(gateway.get("/v1/audit/proof/inclusion?index=0&size=" + beyond)
                        .body())
                .contains("size=" + beyond + " is not a size of this log");
    }

    @Test
    void metrics_countCheckpoints() {
        assertThat(gateway.get("/metrics").body())
                .contains("countersign_audit_checkpoints_signed_total")
                .contains("countersign_audit_checkpoint_size");
    }

    private static JsonNode json(String path) {
        HttpResponse<String> response = gateway.get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        return JSON.readTree(response.body());
    }

    private static List<byte[]> hashes(JsonNode proof) {
        List<byte[]> hashes = new ArrayList<>();
        proof.path("hashes").forEach(hash -> hashes.add(Base64.getDecoder().decode(hash.asString())));
        return hashes;
    }
}
