package io.countersign.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.countersign.workflow.RequestId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Invariant 6: nothing acknowledged is lost when the process is killed (kill -9) mid-write. */
class SqliteCrashTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    @Timeout(90)
    void killedWriter_keepsEveryAcknowledgedRequestAndItsAuditEvents_withoutGaps() throws Exception {
        Path data = dir.resolve("data");
        Path stderr = dir.resolve("child-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashTestWriter.class.getName(),
                        data.toString(),
                        "6")
                .redirectError(stderr.toFile())
                .start();
        List<RequestId> acked = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstAck = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> readAcks(child, acked, firstAck));

        try {
            if (!firstAck.await(30, TimeUnit.SECONDS)) {
                fail("the child acknowledged nothing in 30 s; alive: " + child.isAlive() + ", stderr:\n"
                        + Files.readString(stderr));
            }
            Thread.sleep(1_000);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close, no flush
            child.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);

        assertThat(acked).as("acknowledged requests before the kill").hasSizeGreaterThan(20);
        try (SqliteStore store = SqliteStore.open(data)) {
            Map<String, Integer> eventsPerRequest = new HashMap<>();
            long size = store.auditSize();
            for (long start = 0; start < size; start += SqliteStore.MAX_LEAVES_PER_READ) {
                List<byte[]> leaves = store.auditLeaves(start, Math.min(size, start + SqliteStore.MAX_LEAVES_PER_READ));
                for (int i = 0; i < leaves.size(); i++) {
                    JsonNode leaf = JSON.readTree(leaves.get(i));
                    assertThat(leaf.get("seq").longValue())
                            .as("seq of entry %d", start + i)
                            .isEqualTo(start + i);
                    eventsPerRequest.merge(leaf.get("request").stringValue(), 1, Integer::sum);
                }
            }
            for (RequestId id : acked) {
                assertThat(store.find(id)).as("acknowledged request %s", id).isPresent();
                assertThat(eventsPerRequest.get(id.value()))
                        .as("audit events of acknowledged request %s", id)
                        .isEqualTo(2);
            }
            // Atomicity too: whatever else survived (committed but not yet acknowledged) survived whole.
            eventsPerRequest.forEach((id, events) -> {
                assertThat(events).as("audit events of request %s", id).isEqualTo(2);
                assertThat(store.find(new RequestId(id)))
                        .as("request %s of surviving audit events", id)
                        .isPresent();
            });
        }
    }

    private static void readAcks(Process child, List<RequestId> acked, CountDownLatch firstAck) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                // A line cut by the kill has a truncated id, which is not valid and so not counted.
                if (line.startsWith("ACK ") && RequestId.isValid(line.substring(4))) {
                    acked.add(new RequestId(line.substring(4)));
                    firstAck.countDown();
                }
            }
        } catch (IOException e) {
            // The pipe closes when the child dies; what was read so far counts.
        }
    }
}
