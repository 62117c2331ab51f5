package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.countersign.server.Cli;
import io.countersign.server.Main;
import io.countersign.store.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Invariants 6 and 7 across a crash: the gateway runs as its own process under concurrent load
 * and is killed with SIGKILL; after a restart, every request it acknowledged (HTTP 200) has its
 * request.created entry in the log, and {@code audit verify --data} passes.
 */
class AuditCrashTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern LISTENING = Pattern.compile("Countersign listening on (http://\\S+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void killedGateway_keepsEveryAcknowledgedRequest_andItsLogVerifies() throws Exception {
        Path data = dir.resolve("data");
        Path policy = AuditGateway.writePolicy(dir);
        String agent = AuditGateway.agentKey(data, "loader");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("gateway-stderr.txt");
        Process gateway = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--data",
                        data.toString(),
                        "--port",
                        "0",
                        "--policy",
                        policy.toString())
                .redirectError(stderr.toFile())
                .start();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        try {
            String baseUrl = awaitListening(gateway, stderr);
            AtomicBoolean running = new AtomicBoolean(true);
            List<CompletableFuture<Void>> load = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                load.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; running.get(); i++) {
                        try {
                            HttpResponse<String> response =
                                    AuditGateway.query(baseUrl, agent, "db/prod/t" + thread + "-" + i);
                            if (response.statusCode() == 200) {
                                acknowledged.add(JSON.readTree(response.body())
                                        .path("id")
                                        .asString());
                            }
                        } catch (RuntimeException connectionLost) {
                            return; // the kill: what was acknowledged so far counts
                        }
                    }
                }));
            }
            // Kill mid-load once enough is acknowledged (a loaded machine may take far longer than 2 s to get there).
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            Thread.sleep(2_000);
            while (acknowledged.size() <= 20 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            gateway.destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint, no close
            assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
            running.set(false);
            CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            gateway.destroyForcibly();
        }
        assertThat(acknowledged).as("requests acknowledged before the kill").hasSizeGreaterThan(20);

        new AuditGateway(dir, AuditConfig.defaults()).close(); // the restart: catches up, signs, stops

        Set<String> created = new HashSet<>();
        try (SqliteStore store = SqliteStore.open(data)) {
            long size = store.auditSize();
            for (long start = 0; start < size; start += SqliteStore.MAX_LEAVES_PER_READ) {
                for (byte[] leaf : store.auditLeaves(start, Math.min(size, start + SqliteStore.MAX_LEAVES_PER_READ))) {
                    JsonNode entry = JSON.readTree(leaf);
                    if (entry.path("type").asString().equals("request.created")) {
                        created.add(entry.path("request").asString());
                    }
                }
            }
            assertThat(store.audit().latestCheckpoint().orElseThrow().size()).isEqualTo(size);
        }
        assertThat(created).as("request.created entries after the restart").containsAll(acknowledged);
        Cli.Run verify = Cli.run(
                "audit",
                "verify",
                "--data",
                data.toString(),
                "--trust-on-first-use",
                "--state",
                dir.resolve("state").toString());
        assertThat(verify.exitCode()).as(verify.all()).isZero();
    }

    private static String awaitListening(Process gateway, Path stderr) throws Exception {
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        return matcher.group(1);
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                return null;
            }
        });
        String found = url.get(60, TimeUnit.SECONDS);
        if (found == null) {
            fail("the gateway did not start; stderr:\n" + Files.readString(stderr));
        }
        return found;
    }
}
