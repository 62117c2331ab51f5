package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The breaker syntax: what a policy file may say about circuit breakers, and the errors for what it may not. */
class BreakerPolicyTest {
    private static final String ALLOW_RULE =
            "rules:\n  - name: deletes\n    match: {action: db.delete}\n    effect: allow\n";
    private static final String APPROVAL_RULE =
            "rules:\n  - name: exports\n    match: {action: db.export}\n    effect: require_approval\n"
                    + "    approval: {groups: [data-owners]}\n";
    private static final String DENY_RULE = "rules:\n  - name: iam\n    match: {action: iam.*}\n    effect: deny\n";

    @Test
    void ruleBreaker_isNamedAfterItsRule_andCountsItsActions() {
        Policy policy = Policy.parse("policy.yaml", ALLOW_RULE + "    breaker: {max: 20, per: 1m, then: deny}\n");

        assertThat(policy.breakers()).singleElement().satisfies(breaker -> {
            assertThat(breaker.name()).isEqualTo("deletes");
            assertThat(breaker.scope()).isEqualTo(new Breaker.OnRule("deletes"));
            assertThat(breaker.max()).isEqualTo(20);
            assertThat(breaker.per()).isEqualTo(Duration.ofMinutes(1));
            assertThat(breaker.then()).isEqualTo(Effect.DENY);
            assertThat(breaker.approval()).isEmpty();
            assertThat(breaker.line()).isEqualTo(5);
        });
    }

    @Test
    void requireApprovalBreakerOnAnApprovalRule_takesTheRulesApproval() {
        Policy policy =
                Policy.parse("policy.yaml", APPROVAL_RULE + "    breaker: {max: 5, per: 1h, then: require_approval}\n");

        assertThat(policy.breakers().getFirst().approval())
                .isEqualTo(policy.rules().getFirst().approval());
    }

    @Test
    void breakersOwnApproval_isUsedWhenGiven() {
        Policy policy = Policy.parse(
                "policy.yaml",
                ALLOW_RULE
                        + "    breaker: {max: 5, per: 1h, then: require_approval, approval: {groups: [sre], quorum: 2, timeout: 10m}}\n");

        assertThat(policy.breakers().getFirst().approval())
                .contains(new ApprovalRequirement("breaker:deletes", Set.of("sre"), 2, Duration.ofMinutes(10)));
    }

    @Test
    void topLevelBreaker_countsAnAgentsDenials() {
        Policy policy = Policy.parse(
                "policy.yaml",
                DENY_RULE
                        + "breakers:\n  - name: denial-burst\n    agent: \"ci-*\"\n    on: denied\n    max: 10\n    per: 5m\n    then: require_approval\n"
                        + "    approval: {groups: [security]}\n  - {name: anything, max: 100, per: 1m, then: deny}\n");

        assertThat(policy.breakers()).hasSize(2);
        Breaker burst = policy.breakers().getFirst();
        assertThat(burst.scope()).isEqualTo(new Breaker.OnAgent(Glob.agent("ci-*"), Optional.of(Effect.DENY)));
        assertThat(burst.approval().orElseThrow().groups()).containsExactly("security");
        assertThat(burst.line()).isEqualTo(6);
        assertThat(policy.breakers().get(1).scope())
                .as("every agent, every action")
                .isEqualTo(new Breaker.OnAgent(Glob.agent("*"), Optional.empty()));
    }

    @Test
    void aPolicyWithoutBreakers_hasNone() {
        assertThat(Policy.parse("policy.yaml", ALLOW_RULE).breakers()).isEqualTo(List.of());
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                // description, policy text, line, rule (or ""), what the detail must contain
                Arguments.of(
                        "then allow",
                        ALLOW_RULE + "    breaker: {max: 1, per: 1m, then: allow}\n",
                        5,
                        "deletes",
                        "breaker.then is allow; a breaker never loosens, want require_approval or deny"),
                Arguments.of(
                        "then looser than the rule",
                        DENY_RULE + "    breaker: {max: 1, per: 1m, then: require_approval, approval: {groups: [a]}}\n",
                        5,
                        "iam",
                        "breaker.then require_approval is looser than the rule's effect deny; a breaker never loosens, want deny"),
                Arguments.of(
                        "then unknown",
                        ALLOW_RULE + "    breaker: {max: 1, per: 1m, then: block}\n",
                        5,
                        "deletes",
                        "unknown breaker.then 'block'; want allow, deny or require_approval"),
                Arguments.of(
                        "no then",
                        ALLOW_RULE + "    breaker: {max: 1, per: 1m}\n",
                        5,
                        "deletes",
                        "breaker has no 'then'"),
                Arguments.of(
                        "no max",
                        ALLOW_RULE + "    breaker: {per: 1m, then: deny}\n",
                        5,
                        "deletes",
                        "breaker has no 'max'"),
                Arguments.of(
                        "no per",
                        ALLOW_RULE + "    breaker: {max: 3, then: deny}\n",
                        5,
                        "deletes",
                        "breaker has no 'per'"),
                Arguments.of(
                        "zero max",
                        ALLOW_RULE + "    breaker:\n      max: 0\n      per: 1m\n      then: deny\n",
                        6,
                        "deletes",
                        "breaker.max is 0, want 1 to 100000"),
                Arguments.of(
                        "max not a number",
                        ALLOW_RULE + "    breaker: {max: lots, per: 1m, then: deny}\n",
                        5,
                        "deletes",
                        "breaker.max must be an integer"),
                Arguments.of(
                        "bad per",
                        ALLOW_RULE + "    breaker:\n      max: 3\n      per: a minute\n      then: deny\n",
                        7,
                        "deletes",
                        "breaker.per 'a minute' is not a duration"),
                Arguments.of(
                        "unknown breaker key",
                        ALLOW_RULE + "    breaker: {max: 3, pre: 1m, then: deny}\n",
                        5,
                        "deletes",
                        "unknown key 'pre' in breaker; did you mean 'per'?"),
                Arguments.of(
                        "require_approval without any approval",
                        ALLOW_RULE + "    breaker: {max: 3, per: 1m, then: require_approval}\n",
                        5,
                        "deletes",
                        "breaker.then require_approval needs 'approval: {groups: [...]}' in the breaker, the rule has none"),
                Arguments.of(
                        "approval with then deny",
                        APPROVAL_RULE
                                + "    breaker:\n      max: 3\n      per: 1m\n      then: deny\n      approval: {groups: [a]}\n",
                        10,
                        "exports",
                        "'approval' in a breaker is only for then require_approval, this breaker's then is deny"),
                Arguments.of(
                        "breaker approval without groups",
                        ALLOW_RULE
                                + "    breaker:\n      max: 3\n      per: 1m\n      then: require_approval\n      approval: {quorum: 2}\n",
                        9,
                        "deletes",
                        "breaker.approval has no 'groups'"),
                Arguments.of(
                        "top-level without name",
                        DENY_RULE + "breakers:\n  - {max: 3, per: 1m, then: deny}\n",
                        6,
                        "",
                        "breaker #1 has no 'name'"),
                Arguments.of(
                        "top-level unknown on",
                        DENY_RULE
                                + "breakers:\n  - name: burst\n    on: denials\n    max: 3\n    per: 1m\n    then: deny\n",
                        7,
                        "burst",
                        "unknown on 'denials'; want any, denied, human_denied, any_denied, allow or require_approval"),
                Arguments.of(
                        "top-level bad agent glob",
                        DENY_RULE
                                + "breakers:\n  - name: burst\n    agent: \"ci-?\"\n    max: 3\n    per: 1m\n    then: deny\n",
                        7,
                        "burst",
                        "agent: pattern 'ci-?' has whitespace or one of ? [ ] { }"),
                Arguments.of(
                        "top-level require_approval without approval",
                        DENY_RULE + "breakers:\n  - name: burst\n    max: 3\n    per: 1m\n    then: require_approval\n",
                        6,
                        "burst",
                        "then require_approval needs 'approval: {groups: [...]}'"),
                Arguments.of(
                        "top-level named like a rule",
                        DENY_RULE + "breakers:\n  - {name: iam, max: 3, per: 1m, then: deny}\n",
                        6,
                        "iam",
                        "breaker name 'iam' is taken by the rule on line 2"),
                Arguments.of(
                        "top-level duplicate",
                        DENY_RULE
                                + "breakers:\n  - {name: b, max: 3, per: 1m, then: deny}\n  - {name: b, max: 4, per: 1m, then: deny}\n",
                        7,
                        "b",
                        "duplicate breaker name 'b'; the first is on line 6"),
                Arguments.of(
                        "top-level unknown key",
                        DENY_RULE
                                + "breakers:\n  - name: burst\n    max: 3\n    per: 1m\n    then: deny\n    agnet: x\n",
                        10,
                        "burst",
                        "unknown key 'agnet' in breaker; did you mean 'agent'?"),
                Arguments.of(
                        "breakers not a list",
                        DENY_RULE + "breakers: {name: b}\n",
                        5,
                        "",
                        "breakers must be a list, got a mapping"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void badBreaker_isRejectedAtLoad_namingFileLineAndRule(
            String description, String text, int line, String rule, String detail) {
        PolicyException error = catchThrowableOfType(PolicyException.class, () -> Policy.parse("policy.yaml", text));

        assertThat(error).as(description).isNotNull();
        assertThat(error.line()).as("line of: " + error.getMessage()).isEqualTo(line);
        assertThat(error.rule())
                .as(error.getMessage())
                .isEqualTo(rule.isEmpty() ? Optional.empty() : Optional.of(rule));
        assertThat(error.detail()).contains(detail);
    }
}
