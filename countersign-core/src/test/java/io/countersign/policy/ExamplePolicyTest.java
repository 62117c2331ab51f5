package io.countersign.policy;

import static io.countersign.policy.Inputs.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExamplePolicyTest {

    @Test
    void bundledExample_loads_withDefaultDeny() {
        Policy policy = Policy.bundledExample();

        assertThat(policy.fileName()).isEqualTo("example-policy.yaml");
        assertThat(policy.defaultEffect()).isEqualTo(Effect.DENY);
        assertThat(policy.version()).matches("sha256:[0-9a-f]{64}");
        assertThat(policy.rules()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(policy.rules()).extracting(RuleSummary::name).contains("reads-are-free", "agents-never-touch-iam");
    }

    @Test
    void bundledExample_passesItsCases() {
        List<PolicyTestCases.Result> results = PolicyTestCases.bundledExample().run(Policy.bundledExample());

        assertThat(results).hasSizeGreaterThanOrEqualTo(12);
        assertThat(results)
                .allSatisfy(result ->
                        assertThat(result.passed()).as(result.summary()).isTrue());
    }

    @Test
    void bundledExample_coversEveryRuleWithACase() {
        List<String> decidingRules = PolicyTestCases.bundledExample().run(Policy.bundledExample()).stream()
                .flatMap(result -> result.actual().rules().stream())
                .distinct()
                .toList();

        assertThat(decidingRules)
                .containsExactlyInAnyOrderElementsOf(Policy.bundledExample().rules().stream()
                        .map(RuleSummary::name)
                        .toList());
    }

    @Test
    void bundledExample_agentsNeverTouchIam_withTheReasonFromTheFile() {
        Decision decision = Policy.bundledExample().decide(input("iam.grant", "aws/iam/role/admin"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.reason()).isEqualTo("agents may not change IAM");
    }
}
