package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Http.Response;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three gateway processes on one PostgreSQL under load; the one that signs checkpoints (and
 * takes its turn at the audit lock like the others) is frozen with SIGSTOP for 10 s, the way a
 * long GC pause, a stuck VM or a cut network leaves a node alive but silent. The cluster must not
 * wait for it: the database ends its sessions and frees its locks (see docs/scale-out.md).
 */
class FrozenNodeTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long FREEZE_MILLIS = 10_000;

    @TempDir
    Path dir;

    private final Map<String, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    /** One sample of the log as a live node serves it: when, how many entries, how many signed. */
    private record Sample(long atMillis, long entries, long signed) {}

    @Test
    @Timeout(300)
    void frozenSigner_otherNodesKeepAtLeastHalfTheirRate_entriesAreSignedWithin3s_nothingLostNoFork() throws Exception {
        Assumptions.assumeTrue(
                NodeProcess.canSignal(), "needs a kill command to send SIGSTOP (Debian: apt-get install procps)");
        String url = TestPostgres.newDatabase();
        Path config = NodeProcess.writeConfig(dir, url);
        String agent;
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(url))) {
            agent = new ApiTokens(store, Clock.systemUTC())
                    .issue(new Agent("loader", Map.of()))
                    .reveal();
        }
        long origin = System.nanoTime();
        try (NodeProcess a = NodeProcess.start(config, "a"); // first up: makes the keys and takes the signer lock
                NodeProcess b = NodeProcess.start(config, "b");
                NodeProcess c = NodeProcess.start(config, "c")) {
            List<NodeProcess> live = List.of(b, c);
            ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> liveAcks = new ConcurrentLinkedQueue<>(); // ms since origin, on b and c
            ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (NodeProcess node : List.of(a, b, c)) {
                    for (int t = 0; t < 4; t++) {
                        String prefix = node.name() + t;
                        threads.submit(() ->
                                load(node, prefix, agent, running, acknowledged, node == a ? null : liveAcks, origin));
                    }
                }
                threads.submit(() -> sample(b, running, samples, origin));

                Thread.sleep(5_000); // warm-up
                long baselineFrom = millisSince(origin);
                Thread.sleep(5_000);
                long freezeAt = millisSince(origin);
                a.freeze();
                Thread.sleep(FREEZE_MILLIS);
                long thawAt = millisSince(origin);
                a.thaw();
                Thread.sleep(4_000);
                running.set(false);
                threads.shutdown();
                assertThat(threads.awaitTermination(120, TimeUnit.SECONDS))
                        .as("the load stopped")
                        .isTrue();

                double before = rate(liveAcks, baselineFrom, freezeAt);
                double during = rate(liveAcks, freezeAt, thawAt);
                double ratio = during / before;
                long longestLag = longestSigningLag(new ArrayList<>(samples), freezeAt, thawAt + 2_000);
                System.out.printf(
                        "frozen node: b+c answered %.1f req/s before, %.1f req/s during the %d s freeze of the signer a"
                                + " (ratio %.2f); longest entry-to-checkpoint time from the freeze on: %d ms (sampled every 50 ms)%n",
                        before, during, FREEZE_MILLIS / 1000, ratio, longestLag);
                System.out.println("answers by node and status: " + statuses + "; first problems: " + problems);
                for (NodeProcess node : List.of(a, b, c)) {
                    System.out.println("node " + node.name() + " warnings:\n" + node.warnings(15));
                }
                assertThat(before).as("requests/s on b and c before the freeze").isGreaterThan(1.0);
                assertThat(ratio)
                        .as("rate of b and c during the freeze / before")
                        .isGreaterThanOrEqualTo(0.5);
                assertThat(longestLag)
                        .as("ms from an entry being in the log to a checkpoint covering it")
                        .isLessThanOrEqualTo(3_000);
            }

            Thread.sleep(1_500); // the signer covers the end of the load
            Set<String> created = createdRequests(b);
            assertThat(acknowledged).hasSizeGreaterThan(50);
            assertThat(created)
                    .as("request.created entries of every acknowledged request")
                    .containsAll(acknowledged);
            Path state = dir.resolve("verifier-state");
            for (NodeProcess node : List.of(b, a, c)) {
                // One saved state across the nodes: every node's checkpoint must be consistent with the ones seen
                // before.
                Cli.Run verify = Cli.run(
                        "audit",
                        "verify",
                        "--server",
                        node.baseUrl(),
                        "--trust-on-first-use",
                        "--state",
                        state.toString());
                assertThat(verify.exitCode())
                        .as("audit verify on node " + node.name() + ": " + verify.all())
                        .isZero();
            }
        }
    }

    private void load(
            NodeProcess node,
            String prefix,
            String agent,
            AtomicBoolean running,
            ConcurrentLinkedQueue<String> acknowledged,
            ConcurrentLinkedQueue<Long> acks,
            long origin) {
        Http http = new Http(node.baseUrl());
        for (int i = 0; running.get(); i++) {
            try {
                Response response = http.post(
                        "/v1/actions",
                        agent,
                        Http.json("action", "db.query", "resource", "db/prod/" + prefix + "-" + i, "reason", "load"));
                statuses.merge(node.name() + " " + response.status(), 1, Integer::sum);
                if (response.status() == 200) {
                    acknowledged.add(response.text("id"));
                    if (acks != null) {
                        acks.add(millisSince(origin));
                    }
                } else if (problems.size() < 5) {
                    problems.add(node.name() + ": " + response.body());
                }
            } catch (RuntimeException e) {
                statuses.merge(node.name() + " cut off", 1, Integer::sum); // by the freeze; not acknowledged
            }
        }
    }

    private static void sample(
            NodeProcess node, AtomicBoolean running, ConcurrentLinkedQueue<Sample> samples, long origin) {
        // A sample is taken only when both calls answer; the live node's log is what counts.
        Http http = new Http(node.baseUrl());
        while (running.get()) {
            try {
                long at = millisSince(origin);
                long entries = Long.parseLong(entries(node));
                Response checkpoint = http.get("/v1/audit/checkpoint", null);
                if (checkpoint.status() == 200) {
                    samples.add(new Sample(
                            at, entries, Long.parseLong(checkpoint.body().split("\n")[1])));
                }
            } catch (RuntimeException e) {
                // a failed sample is left out
            } catch (Exception e) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The log's size, from the X-Audit-Size header of the entries call. */
    private static String entries(NodeProcess node) throws Exception {
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<Void> response = client.send(
                    java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(node.baseUrl() + "/v1/audit/entries?start=0&end=0"))
                            .GET()
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return response.headers().firstValue("X-Audit-Size").orElseThrow();
        }
    }

    /**
     * For every sample taken in [from, to): how long until a later sample shows a checkpoint that
     * covers the entries the log had then. Entries are seen at most one sample after they were
     * written, so this is the lag to within 50 ms.
     */
    private static long longestSigningLag(List<Sample> samples, long from, long to) {
        long longest = 0;
        for (int i = 0; i < samples.size(); i++) {
            Sample seen = samples.get(i);
            if (seen.atMillis() < from || seen.atMillis() >= to) {
                continue;
            }
            long lag = Long.MAX_VALUE;
            for (int j = i; j < samples.size(); j++) {
                if (samples.get(j).signed() >= seen.entries()) {
                    lag = samples.get(j).atMillis() - seen.atMillis();
                    break;
                }
            }
            longest = Math.max(longest, lag);
        }
        return longest;
    }

    private static double rate(ConcurrentLinkedQueue<Long> acks, long from, long to) {
        return acks.stream().filter(at -> at >= from && at < to).count() * 1000.0 / (to - from);
    }

    private static Set<String> createdRequests(NodeProcess node) throws Exception {
        Set<String> created = new HashSet<>();
        long size = Long.parseLong(entries(node));
        Http http = new Http(node.baseUrl());
        for (long start = 0; start < size; start += 10_000) {
            for (String line : http.get(
                            "/v1/audit/entries?start=" + start + "&end=" + Math.min(size, start + 10_000), null)
                    .body()
                    .split("\n")) {
                JsonNode entry = JSON.readTree(line);
                if (entry.path("type").asString().equals("request.created")) {
                    created.add(entry.path("request").asString());
                }
            }
        }
        return created;
    }

    private static long millisSince(long origin) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - origin);
    }
}
