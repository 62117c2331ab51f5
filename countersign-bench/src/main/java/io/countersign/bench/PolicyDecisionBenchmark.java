package io.countersign.bench;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Warm policy decisions on a realistic 50-rule policy: the bundled example's 10 rules, a
 * change-freeze rule with a CEL condition and a quarantine rule that every action meets (no
 * action prefix, so the index cannot skip them), and 38 per-service rules. Sample time, so the
 * report shows percentiles (p50 target: under 2 us). {@link #baselineMapLookup} is the floor: a
 * hash lookup of the action, for ratios.
 *
 * <pre>java -jar countersign-bench/target/benchmarks.jar PolicyDecisionBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class PolicyDecisionBenchmark {
    private static final int SERVICES = 19;

    private Policy policy;
    private DecisionInput allowedQuery;
    private DecisionInput prodExport;
    private DecisionInput unmatchedAction;
    private Map<String, Effect> effectsByAction;

    @Setup
    public void setUp() {
        policy = Policy.parse("bench-policy.yaml", fiftyRulePolicy());
        if (policy.rules().size() != 50) {
            throw new IllegalStateException(
                    "the benchmark policy has " + policy.rules().size() + " rules, want 50");
        }
        Agent agent = new Agent("etl-nightly", Map.of("team", "data", "env", "prod"));
        Instant wednesday = Instant.parse("2025-01-08T12:00:00Z");
        allowedQuery = input(
                "db.query",
                "db/prod/customers",
                "{\"statement_kind\": \"select\", \"sql\": \"SELECT id FROM customers\"}",
                agent,
                wednesday);
        prodExport =
                input("db.export", "db/prod/customers", "{\"format\": \"csv\", \"rows\": 120000}", agent, wednesday);
        unmatchedAction = input("payments.refund", "stripe/charges/ch_123", "{\"amount\": 4200}", agent, wednesday);
        // Fail fast if a policy edit changed what is being measured.
        expect(allowedQuery, Effect.ALLOW);
        expect(prodExport, Effect.REQUIRE_APPROVAL);
        expect(unmatchedAction, Effect.DENY);

        effectsByAction = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            effectsByAction.put("svc" + i + ".read", Effect.ALLOW);
        }
        effectsByAction.put("db.query", Effect.ALLOW);
    }

    @Benchmark
    public Decision allowedQueryWithCel() {
        return policy.decide(allowedQuery);
    }

    @Benchmark
    public Decision exportRequiringApproval() {
        return policy.decide(prodExport);
    }

    @Benchmark
    public Decision unmatchedActionDeniedByDefault() {
        return policy.decide(unmatchedAction);
    }

    @Benchmark
    public Effect baselineMapLookup() {
        return effectsByAction.getOrDefault(allowedQuery.action().action(), Effect.DENY);
    }

    static String fiftyRulePolicy() {
        // The example's text ends inside its rules list, so generated rules can be appended to it.
        StringBuilder yaml = new StringBuilder(Policy.bundledExample().source());
        yaml.append("""
                  - name: change-freeze
                    match: {}
                    when: '"freeze" in agent.labels'
                    effect: deny
                    reason: "a change freeze is on for this agent"
                  - name: quarantined-agents
                    match: {agent: "quarantine-*"}
                    effect: deny
                """);
        for (int i = 0; i < SERVICES; i++) {
            yaml.append("""
                      - name: svc%1$d-reads
                        match: {action: "svc%1$d.read"}
                        when: 'params.limit <= 1000'
                        effect: allow
                      - name: svc%1$d-prod-changes
                        match: {action: "svc%1$d.**", resource: "services/svc%1$d/prod/**"}
                        effect: require_approval
                        approval: {groups: [svc%1$d-owners], quorum: 1, timeout: 30m}
                    """.formatted(i));
        }
        return yaml.toString();
    }

    private void expect(DecisionInput input, Effect effect) {
        Decision decision = policy.decide(input);
        if (decision.effect() != effect) {
            throw new IllegalStateException(
                    input.action().action() + " decided " + decision + ", want " + effect.wireName());
        }
    }

    private static DecisionInput input(String action, String resource, String params, Agent agent, Instant time) {
        ObjectNode json = (ObjectNode) JsonMapper.builder().build().readTree(params);
        return new DecisionInput(Action.of(action, resource, json, "benchmark"), agent, time);
    }
}
