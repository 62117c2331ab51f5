package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Http.Response;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * Two gateway processes on one PostgreSQL under load; the one that signs checkpoints is killed
 * with SIGKILL. The other signs within 5 seconds, nothing acknowledged is lost, the log verifies.
 */
class SignerTakeoverTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern LISTENING = Pattern.compile("Countersign listening on (http://\\S+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void killedSigner_anotherNodeSignsWithin5s_nothingAcknowledgedIsLost_theLogVerifies() throws Exception {
        String url = TestPostgres.newDatabase();
        Path config = writeConfig(url);
        String agent;
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(url))) {
            agent = new ApiTokens(store, Clock.systemUTC())
                    .issue(new Agent("loader", Map.of()))
                    .reveal();
        }
        List<Process> processes = new ArrayList<>();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        try {
            Process signer = start(config, "a", processes); // first up: makes the keys and takes the signer lock
            String a = awaitListening(signer, dir.resolve("a.err"));
            Process other = start(config, "b", processes);
            String b = awaitListening(other, dir.resolve("b.err"));
            AtomicBoolean running = new AtomicBoolean(true);
            List<CompletableFuture<Void>> load = new ArrayList<>();
            java.util.concurrent.ExecutorService loaders =
                    java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            for (int t = 0; t < 6; t++) {
                Http node = new Http(t % 2 == 0 ? a : b);
                int thread = t;
                load.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; running.get(); i++) {
                                try {
                                    Response response = node.post(
                                            "/v1/actions",
                                            agent,
                                            Http.json(
                                                    "action",
                                                    "db.query",
                                                    "resource",
                                                    "db/prod/t" + thread + "-" + i,
                                                    "reason",
                                                    "load"));
                                    if (response.status() == 200) {
                                        acknowledged.add(response.text("id"));
                                    }
                                } catch (RuntimeException connectionLost) {
                                    if (thread % 2 == 0) {
                                        return; // node A was killed: what it acknowledged so far counts
                                    }
                                }
                            }
                        },
                        loaders));
            }
            Thread.sleep(2_000);
            assertThat(checkpointSize(b)).as("B serves A's checkpoints").isPositive();

            signer.destroyForcibly(); // SIGKILL: no shutdown hook, the lock goes with the dead session
            assertThat(signer.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long killedAt = System.nanoTime();
            long sizeAtKill = entries(b);
            long signedAfterMillis = -1;
            while (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt) < 10_000) {
                if (checkpointSize(b) > sizeAtKill) {
                    signedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    break;
                }
                Thread.sleep(50);
            }
            running.set(false);
            CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            System.out.println(
                    "signer takeover: node B signed a checkpoint past the kill " + signedAfterMillis + " ms after it");
            assertThat(signedAfterMillis)
                    .as("ms until B signed a checkpoint past the kill")
                    .isBetween(0L, 5_000L);
            assertThat(acknowledged).hasSizeGreaterThan(20);
            Set<String> created = new HashSet<>();
            long size = entries(b);
            for (long start = 0; start < size; start += 10_000) {
                for (String line : new Http(b)
                        .get("/v1/audit/entries?start=" + start + "&end=" + Math.min(size, start + 10_000), null)
                        .body()
                        .split("\n")) {
                    JsonNode entry = JSON.readTree(line);
                    if (entry.path("type").asString().equals("request.created")) {
                        created.add(entry.path("request").asString());
                    }
                }
            }
            assertThat(created).as("request.created entries").containsAll(acknowledged);
            Thread.sleep(1_200); // B covers the end of the load
            Cli.Run verify = Cli.run(
                    "audit",
                    "verify",
                    "--server",
                    b,
                    "--trust-on-first-use",
                    "--state",
                    dir.resolve("state").toString());
            assertThat(verify.exitCode()).as(verify.all()).isZero();
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    private Path writeConfig(String url) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = SignerTakeoverTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        Path config = dir.resolve("node.yaml");
        Files.writeString(
                config,
                "data: ./data\npolicy: ./policy.yaml\naudit:\n  publicEntries: true\ndatabase:\n  url: " + url + "\n");
        return config;
    }

    private Process start(Path config, String name, List<Process> processes) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--config",
                        config.toString(),
                        "--port",
                        "0")
                .redirectError(dir.resolve(name + ".err").toFile())
                .start();
        processes.add(process);
        return process;
    }

    private static long checkpointSize(String baseUrl) {
        Response checkpoint = new Http(baseUrl).get("/v1/audit/checkpoint", null);
        return checkpoint.status() == 200 ? Long.parseLong(checkpoint.body().split("\n")[1]) : -1;
    }

    /** The log's size, from the X-Audit-Size header of the entries call. */
    private static long entries(String baseUrl) throws Exception {
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<Void> response = client.send(
                    java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(baseUrl + "/v1/audit/entries?start=0&end=0"))
                            .GET()
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return Long.parseLong(response.headers().firstValue("X-Audit-Size").orElseThrow());
        }
    }

    private static String awaitListening(Process gateway, Path stderr) throws Exception {
        CompletableFuture<String> url = new CompletableFuture<>();
        // Its own thread, never a shared pool: a pool busy with another test's blocking call would
        // leave the line unread and look like a gateway that never started.
        Thread.ofPlatform().daemon().name("gateway-stdout-" + gateway.pid()).start(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find() && !url.isDone()) {
                        url.complete(matcher.group(1));
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
            url.complete(null);
        });
        String found;
        try {
            found = url.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            String threads = threadDump(gateway);
            gateway.destroyForcibly();
            throw new AssertionError(
                    "the gateway did not say it listens within 120 s; stderr:\n" + Files.readString(stderr)
                            + "\nits threads:\n" + threads,
                    e);
        }
        if (found == null) {
            fail("the gateway did not start; stderr:\n" + Files.readString(stderr));
        }
        return found;
    }

    /** What a stuck gateway process is doing, for the failure message. */
    private static String threadDump(Process gateway) {
        try {
            Process jcmd = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            Long.toString(gateway.pid()),
                            "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }
}
