package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class PolicyConcurrencyTest {

    @Test
    void manyThreadsDecidingOnOnePolicy_getTheSameAnswersAsOneThread() throws Exception {
        Policy policy = Policy.bundledExample();
        List<DecisionInput> inputs = inputs();
        List<Decision> expected = inputs.stream().map(policy::decide).toList();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();

        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < 5_000; i++) {
                        int which = ThreadLocalRandom.current().nextInt(inputs.size());
                        Decision actual = policy.decide(inputs.get(which));
                        if (!actual.equals(expected.get(which))) {
                            mismatches.add(inputs.get(which) + " -> " + actual + ", want " + expected.get(which));
                        }
                    }
                    return mismatches;
                }));
            }
            start.countDown();
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEmpty();
            }
        }
        // The inputs are varied enough to exercise every effect, conditions and deny-on-doubt.
        assertThat(expected).extracting(Decision::effect).contains(Effect.ALLOW, Effect.DENY, Effect.REQUIRE_APPROVAL);
        assertThat(expected).anyMatch(decision -> decision.reason().contains("deny on doubt"));
    }

    private static List<DecisionInput> inputs() {
        Instant wednesday = Instant.parse("2025-01-08T12:00:00Z");
        Instant saturday = Instant.parse("2025-01-11T12:00:00Z");
        Agent etl = new Agent("etl", Map.of("team", "data"));
        List<DecisionInput> inputs = new ArrayList<>();
        for (String kind : List.of("select", "update", "delete")) {
            inputs.add(input(
                    "db.query",
                    "db/prod/customers",
                    "{\"statement_kind\": \"" + kind + "\", \"rows\": 10}",
                    etl,
                    wednesday));
        }
        inputs.add(input("db.query", "db/prod/customers", "{}", etl, wednesday));
        inputs.add(input("db.export", "db/prod/customers", "{}", etl, wednesday));
        inputs.add(input("db.export", "db/staging/customers", "{}", etl, wednesday));
        inputs.add(input("deploy.production", "services/a", "{}", etl, wednesday));
        inputs.add(input("deploy.production", "services/a", "{}", etl, saturday));
        inputs.add(input("shell.exec", "hosts/a", "{\"command\": \"rm -rf /\"}", etl, wednesday));
        inputs.add(input(
                "shell.exec",
                "hosts/a",
                "{\"command\": \"ls\", \"args\": [1, 2.5, null, {\"x\": true}]}",
                etl,
                wednesday));
        inputs.add(input("iam.role.create", "aws/iam/x", "{}", etl, wednesday));
        inputs.add(input("unknown.thing", "x", "{}", etl, wednesday));
        return inputs;
    }

    private static DecisionInput input(String action, String resource, String params, Agent agent, Instant time) {
        return new DecisionInput(
                new Action(action, resource, Inputs.params(params), "test", Optional.of("alice")), agent, time);
    }
}
