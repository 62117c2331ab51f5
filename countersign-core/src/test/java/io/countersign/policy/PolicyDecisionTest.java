package io.countersign.policy;

import static io.countersign.policy.Inputs.agent;
import static io.countersign.policy.Inputs.input;
import static io.countersign.policy.Inputs.policy;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyDecisionTest {

    /** The policy from DESIGN.md, verbatim. */
    private static final Policy DESIGN_EXAMPLE = policy(
            "default: deny",
            "rules:",
            "  - name: reads-are-free",
            "    match: {action: \"db.query\"}",
            "    when: 'params.statement_kind == \"select\"'",
            "    effect: allow",
            "  - name: exports-need-a-data-owner",
            "    match: {action: \"db.export\", resource: \"db/prod/*\"}",
            "    effect: require_approval",
            "    approval: {groups: [data-owners], quorum: 1, timeout: 30m}",
            "  - name: agents-never-touch-iam",
            "    match: {action: \"iam.*\"}",
            "    effect: deny",
            "    reason: \"agents may not change IAM\"");

    @Test
    void allowRule_allows_withDefaultReason() {
        Decision decision =
                DESIGN_EXAMPLE.decide(input("db.query", "db/prod/customers", "{\"statement_kind\": \"select\"}"));

        assertThat(decision.effect()).isEqualTo(Effect.ALLOW);
        assertThat(decision.rules()).containsExactly("reads-are-free");
        assertThat(decision.reason()).isEqualTo("allowed by rule 'reads-are-free'");
        assertThat(decision.approvals()).isEmpty();
        assertThat(decision.policyVersion()).isEqualTo(DESIGN_EXAMPLE.version());
    }

    @Test
    void requireApprovalRule_carriesItsRequirement() {
        Decision decision = DESIGN_EXAMPLE.decide(input("db.export", "db/prod/customers"));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.rules()).containsExactly("exports-need-a-data-owner");
        assertThat(decision.reason()).isEqualTo("rule 'exports-need-a-data-owner' requires approval");
        assertThat(decision.approvals())
                .containsExactly(new ApprovalRequirement(
                        "exports-need-a-data-owner", Set.of("data-owners"), 1, Duration.ofMinutes(30)));
    }

    @Test
    void denyRule_denies_withItsReason() {
        Decision decision = DESIGN_EXAMPLE.decide(input("iam.grant", "aws/iam/role/admin"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.rules()).containsExactly("agents-never-touch-iam");
        assertThat(decision.reason()).isEqualTo("agents may not change IAM");
    }

    @Test
    void designExample_iamStar_matchesIamGrant_butNotDeeperActions() {
        assertThat(DESIGN_EXAMPLE.decide(input("iam.grant", "x")).rules()).containsExactly("agents-never-touch-iam");
        // One segment only: iam.role.create falls through to the default, which denies anyway.
        Decision deeper = DESIGN_EXAMPLE.decide(input("iam.role.create", "x"));
        assertThat(deeper.effect()).isEqualTo(Effect.DENY);
        assertThat(deeper.rules()).isEmpty();
    }

    @Test
    void unknownAction_isDeniedByDefault() {
        Decision decision = DESIGN_EXAMPLE.decide(input("payments.refund", "stripe/charges/ch_1"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.rules()).isEmpty();
        assertThat(decision.reason()).isEqualTo("no rule matched; default is deny");
    }

    @Test
    void policyWithoutDefault_deniesUnknownActions() {
        Policy policy = policy("rules: []");

        assertThat(policy.defaultEffect()).isEqualTo(Effect.DENY);
        assertThat(policy.decide(input("anything.at.all", "x")).effect()).isEqualTo(Effect.DENY);
    }

    @Test
    void defaultAllow_allowsUnmatchedActions() {
        Decision decision = policy("default: allow", "rules: []").decide(input("db.query", "x"));

        assertThat(decision.effect()).isEqualTo(Effect.ALLOW);
        assertThat(decision.reason()).isEqualTo("no rule matched; default is allow");
    }

    @Test
    void defaultRequireApproval_usesDefaultApproval() {
        Policy policy = policy(
                "default: require_approval",
                "defaultApproval: {groups: [security], quorum: 2, timeout: 4h}",
                "rules: []");

        Decision decision = policy.decide(input("db.query", "x"));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.rules()).isEmpty();
        assertThat(decision.reason()).isEqualTo("no rule matched; default is require_approval");
        assertThat(decision.approvals())
                .containsExactly(new ApprovalRequirement("default", Set.of("security"), 2, Duration.ofHours(4)));
    }

    @Test
    void mostRestrictiveRuleWins_denyOverRequireApproval() {
        Policy policy = policy(
                "rules:",
                "  - {name: needs-approval, match: {action: db.export}, effect: require_approval, approval: {groups: [a]}}",
                "  - {name: no-exports, match: {action: \"db.*\"}, effect: deny}",
                "  - {name: free, match: {}, effect: allow}");

        Decision decision = policy.decide(input("db.export", "x"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.rules()).containsExactly("no-exports");
        assertThat(decision.reason()).isEqualTo("denied by rule 'no-exports'");
        assertThat(decision.approvals()).isEmpty();
    }

    @Test
    void mostRestrictiveRuleWins_requireApprovalOverAllow() {
        Policy policy = policy(
                "rules:",
                "  - {name: free, match: {action: \"db.**\"}, effect: allow}",
                "  - {name: needs-approval, match: {action: db.export}, effect: require_approval, approval: {groups: [a]}}");

        Decision decision = policy.decide(input("db.export", "x"));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.rules()).containsExactly("needs-approval");
    }

    @Test
    void severalDenyRules_areAllNamed_inFileOrder_firstReasonWins() {
        Policy policy = policy(
                "rules:",
                "  - {name: b-rule, match: {action: \"db.*\"}, effect: deny}",
                "  - {name: a-rule, match: {}, effect: deny, reason: second}",
                "  - {name: c-rule, match: {action: db.export}, effect: deny, reason: third}");

        Decision decision = policy.decide(input("db.export", "x"));

        assertThat(decision.rules()).containsExactly("b-rule", "a-rule", "c-rule");
        assertThat(decision.reason()).isEqualTo("denied by rule 'b-rule'");
    }

    @Test
    void multipleApprovalRules_eachRequirementMustBeMet() {
        Policy policy = policy(
                "rules:",
                "  - name: data-owner",
                "    match: {action: db.export, resource: \"db/prod/**\"}",
                "    effect: require_approval",
                "    approval: {groups: [data-owners], timeout: 30m}",
                "  - name: pii-needs-privacy",
                "    match: {action: db.export}",
                "    when: 'params.contains_pii == true'",
                "    effect: require_approval",
                "    reason: exports with personal data need the privacy team",
                "    approval: {groups: [privacy, legal], quorum: 2, timeout: 2h}");

        Decision decision = policy.decide(input("db.export", "db/prod/users", "{\"contains_pii\": true}"));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.rules()).containsExactly("data-owner", "pii-needs-privacy");
        assertThat(decision.reason()).isEqualTo("rule 'data-owner' requires approval");
        assertThat(decision.approvals())
                .containsExactly(
                        new ApprovalRequirement("data-owner", Set.of("data-owners"), 1, Duration.ofMinutes(30)),
                        new ApprovalRequirement(
                                "pii-needs-privacy", Set.of("privacy", "legal"), 2, Duration.ofHours(2)));
        assertThat(decision.approvalTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void approvalDefaults_areQuorumOne_andOneHour() {
        Policy policy =
                policy("rules:", "  - {name: r, match: {}, effect: require_approval, approval: {groups: [ops]}}");

        assertThat(policy.decide(input("a.b", "x")).approvals())
                .containsExactly(new ApprovalRequirement("r", Set.of("ops"), 1, Duration.ofHours(1)));
    }

    @Test
    void resourceAndAgentGlobs_mustAllMatch() {
        Policy policy = policy(
                "default: deny",
                "rules:",
                "  - {name: etl-reads-staging, match: {action: \"db.*\", resource: \"db/staging/**\", agent: \"etl-*\"}, effect: allow}");

        assertThat(policy.decide(Inputs.input(
                                "db.query",
                                "db/staging/eu/orders",
                                "{}",
                                agent("etl-nightly", Map.of()),
                                Optional.empty(),
                                Inputs.WEDNESDAY_NOON))
                        .effect())
                .isEqualTo(Effect.ALLOW);
        assertThat(policy.decide(Inputs.input(
                                "db.query",
                                "db/prod/orders",
                                "{}",
                                agent("etl-nightly", Map.of()),
                                Optional.empty(),
                                Inputs.WEDNESDAY_NOON))
                        .effect())
                .isEqualTo(Effect.DENY);
        assertThat(policy.decide(Inputs.input(
                                "db.query",
                                "db/staging/orders",
                                "{}",
                                agent("chatbot", Map.of()),
                                Optional.empty(),
                                Inputs.WEDNESDAY_NOON))
                        .effect())
                .isEqualTo(Effect.DENY);
    }

    @Test
    void emptyMatch_matchesEveryAction() {
        Policy policy = policy("rules:", "  - {name: everything, match: {}, effect: allow}");

        assertThat(policy.decide(input("x", "y")).rules()).containsExactly("everything");
        assertThat(policy.decide(input("a.b.c.d", "y/z")).rules()).containsExactly("everything");
    }

    @Test
    void rules_areExposedAsSummaries_inFileOrder() {
        List<RuleSummary> rules = DESIGN_EXAMPLE.rules();

        assertThat(rules)
                .extracting(RuleSummary::name)
                .containsExactly("reads-are-free", "exports-need-a-data-owner", "agents-never-touch-iam");
        RuleSummary exports = rules.get(1);
        assertThat(exports.line()).isEqualTo(7);
        assertThat(exports.action()).contains(Glob.action("db.export"));
        assertThat(exports.resource()).contains(Glob.resource("db/prod/*"));
        assertThat(exports.agent()).isEmpty();
        assertThat(exports.when()).isEmpty();
        assertThat(rules.get(0).when()).contains("params.statement_kind == \"select\"");
        assertThat(rules.get(2).reason()).contains("agents may not change IAM");
    }

    @Test
    void stepUpAndChannel_areKeptOnTheRule() {
        Policy policy = policy(
                "rules:",
                "  - {name: r, match: {}, effect: require_approval, approval: {groups: [ops], stepUp: true, channel: \"#ops-approvals\"}}",
                "  - {name: s, match: {}, effect: require_approval, approval: {groups: [ops]}}");

        assertThat(policy.rules().get(0).stepUp()).isTrue();
        assertThat(policy.rules().get(0).channel()).contains("#ops-approvals");
        assertThat(policy.rules().get(1).stepUp()).isFalse();
        assertThat(policy.rules().get(1).channel()).isEmpty();
    }

    @Test
    void notify_routesTheApprovalMessage_andIsEmptyWhenNotGiven() {
        Policy policy = policy(
                "rules:",
                "  - {name: r, match: {}, effect: require_approval, approval: {groups: [ops], notify: {slack: C0123}}}",
                "  - {name: s, match: {}, effect: require_approval, approval: {groups: [ops]}}");

        assertThat(policy.rules().get(0).approval().orElseThrow().notifyTo())
                .containsExactly(Map.entry("slack", "C0123"));
        assertThat(policy.rules().get(1).approval().orElseThrow().notifyTo()).isEmpty();
    }

    @Test
    void version_isTheSha256OfTheText() {
        Policy policy = policy("rules: []");

        assertThat(policy.version()).isEqualTo("sha256:" + sha256Hex("rules: []\n"));
        assertThat(policy("rules: [] ").version()).isNotEqualTo(policy.version());
        assertThat(policy.source()).isEqualTo("rules: []\n");
        assertThat(policy.fileName()).isEqualTo("policy.yaml");
    }

    @Test
    void timeIsVisibleToConditions_asContextTime() {
        Policy policy = policy(
                "rules:",
                "  - {name: office-hours, match: {}, when: 'context.time.getHours(\"UTC\") >= 9 && context.time.getHours(\"UTC\") < 17', effect: allow}");

        assertThat(policy.decide(Inputs.input(
                                "a.b",
                                "x",
                                "{}",
                                agent("bot", Map.of()),
                                Optional.empty(),
                                Instant.parse("2025-01-08T10:00:00Z")))
                        .effect())
                .isEqualTo(Effect.ALLOW);
        assertThat(policy.decide(Inputs.input(
                                "a.b",
                                "x",
                                "{}",
                                agent("bot", Map.of()),
                                Optional.empty(),
                                Instant.parse("2025-01-08T20:00:00Z")))
                        .effect())
                .isEqualTo(Effect.DENY);
    }

    static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
