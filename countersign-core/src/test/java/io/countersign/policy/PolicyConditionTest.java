package io.countersign.policy;

import static io.countersign.policy.Inputs.agent;
import static io.countersign.policy.Inputs.input;
import static io.countersign.policy.Inputs.policy;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyConditionTest {

    private static Effect allowWhen(String condition, DecisionInput input) {
        return policy("rules:", "  - name: r", "    match: {}", "    when: '" + condition + "'", "    effect: allow")
                .decide(input)
                .effect();
    }

    @ParameterizedTest(name = "{0} with {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "params.rows > 100                       | {\"rows\": 150}                 | ALLOW",
                "params.rows > 100                       | {\"rows\": 50}                  | DENY",
                "params.amount > 1000                    | {\"amount\": 1500.5}            | ALLOW",
                "params.count == 5                       | {\"count\": 5.0}                | ALLOW",
                "params.ratio < 0.5                      | {\"ratio\": 0.25}               | ALLOW",
                "params.big > 1.0                        | {\"big\": 123456789012345678901234567890} | ALLOW",
                "params.dry_run == true                  | {\"dry_run\": true}             | ALLOW",
                "params.owner == null                    | {\"owner\": null}               | ALLOW",
                "params.table.schema == \"public\"       | {\"table\": {\"schema\": \"public\"}} | ALLOW",
                "\"pii\" in params.tags                  | {\"tags\": [\"pii\", \"eu\"]}   | ALLOW",
                "params.tags.exists(t, t == \"eu\")      | {\"tags\": [\"pii\", \"eu\"]}   | ALLOW",
                "params.tags.size() == 2                 | {\"tags\": [1, 2]}              | ALLOW",
                "has(params.limit)                       | {}                              | DENY",
                "params.sql.lowerAscii().startsWith(\"select\") | {\"sql\": \"SELECT 1\"}  | ALLOW",
                "action == \"db.query\" && resource.startsWith(\"db/prod/\") | {}         | ALLOW",
            })
    void jsonParams_areCelValues(String condition, String params, Effect expected) {
        assertThat(allowWhen(condition, input("db.query", "db/prod/customers", params)))
                .isEqualTo(expected);
    }

    @Test
    void agentNameAndLabels_areVisible() {
        DecisionInput input = Inputs.input(
                "db.query",
                "x",
                "{}",
                agent("etl-nightly", Map.of("team", "data")),
                Optional.empty(),
                Inputs.WEDNESDAY_NOON);

        assertThat(allowWhen("agent.name.startsWith(\"etl-\") && agent.labels.team == \"data\"", input))
                .isEqualTo(Effect.ALLOW);
        assertThat(allowWhen("\"env\" in agent.labels", input)).isEqualTo(Effect.DENY);
    }

    @Test
    void onBehalfOf_isTheHuman_orEmptyWhenAbsent() {
        DecisionInput forAlice = Inputs.input(
                "a.b", "x", "{}", agent("bot", Map.of()), Optional.of("alice@example.com"), Inputs.WEDNESDAY_NOON);
        DecisionInput forNobody = input("a.b", "x");

        assertThat(allowWhen("onBehalfOf.endsWith(\"@example.com\")", forAlice)).isEqualTo(Effect.ALLOW);
        assertThat(allowWhen("onBehalfOf == \"\"", forNobody)).isEqualTo(Effect.ALLOW);
        assertThat(allowWhen("onBehalfOf == \"\"", forAlice)).isEqualTo(Effect.DENY);
    }

    @Test
    void evaluationError_inDenyRule_matches_denyOnDoubt() {
        Policy policy = policy(
                "default: allow",
                "rules:",
                "  - {name: big-exports, match: {action: db.export}, when: 'params.rows > 1000', effect: deny}");

        Decision decision = policy.decide(input("db.export", "db/prod/x"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.rules()).containsExactly("big-exports");
        assertThat(decision.reason())
                .isEqualTo("denied by rule 'big-exports' [condition of rule 'big-exports' failed: "
                        + "key 'rows' is not present in map; treated as matching (deny on doubt)]");
    }

    @Test
    void evaluationError_inRequireApprovalRule_matches_denyOnDoubt() {
        Policy policy = policy(
                "default: allow",
                "rules:",
                "  - {name: big-exports, match: {}, when: 'params.rows > 1000', effect: require_approval, approval: {groups: [dba]}}");

        Decision decision = policy.decide(input("db.export", "db/prod/x", "{\"rows\": \"many\"}"));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.reason())
                .startsWith("rule 'big-exports' requires approval [condition of rule 'big-exports' failed: ")
                .endsWith("treated as matching (deny on doubt)]");
    }

    @Test
    void evaluationError_inAllowRule_doesNotMatch_andTheReasonSaysWhy() {
        Policy policy = policy(
                "rules:",
                "  - {name: reads-are-free, match: {action: db.query}, when: 'params.statement_kind == \"select\"', effect: allow}");

        Decision decision = policy.decide(input("db.query", "db/prod/x"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.rules()).isEmpty();
        assertThat(decision.reason())
                .isEqualTo("no rule matched; default is deny [condition of rule 'reads-are-free' failed: "
                        + "key 'statement_kind' is not present in map; treated as not matching]");
    }

    @Test
    void evaluationError_inAllowRule_doesNotHideAnotherAllow() {
        Policy policy = policy(
                "rules:",
                "  - {name: a, match: {}, when: 'params.missing == 1', effect: allow}",
                "  - {name: b, match: {}, effect: allow}");

        Decision decision = policy.decide(input("db.query", "x"));

        assertThat(decision.effect()).isEqualTo(Effect.ALLOW);
        assertThat(decision.rules()).containsExactly("b");
        assertThat(decision.reason()).isEqualTo("allowed by rule 'b'");
    }

    @Test
    void falseCondition_doesNotMatch() {
        Policy policy = policy("default: allow", "rules:", "  - {name: never, match: {}, when: 'false', effect: deny}");

        assertThat(policy.decide(input("a.b", "x")).effect()).isEqualTo(Effect.ALLOW);
    }

    @Test
    void strictestEffectFirst_allowConditionsDoNotRun_onceADenyMatched() {
        // If the allow condition ran, its error would show up in the reason.
        Policy policy = policy(
                "rules:",
                "  - {name: allow-it, match: {}, when: 'params.missing == 1', effect: allow}",
                "  - {name: deny-it, match: {}, effect: deny}");

        assertThat(policy.decide(input("a.b", "x")).reason()).isEqualTo("denied by rule 'deny-it'");
    }
}
