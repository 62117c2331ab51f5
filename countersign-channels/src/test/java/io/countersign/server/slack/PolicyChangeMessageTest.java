package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.util.json.GsonFactory;
import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** A policy change's message shows what its approvers judge it by: the replay's impact, the evidence, the line diff. */
class PolicyChangeMessageTest {
    private static ApprovalRequest change(String paramsJson) {
        ApprovalRequirement requirement = new ApprovalRequirement(
                "policyChanges.approvers", Set.of("policy-admins"), 1, Duration.ofHours(24), false, Map.of());
        Decision decision = new Decision(
                Effect.REQUIRE_APPROVAL, List.of(), "a policy change", "sha256:0123", List.of(requirement));
        Action action = new Action(
                "policy.change",
                "policy/policy.yaml",
                (ObjectNode) FakeSlack.MAPPER.readTree(paramsJson),
                "adopt the analytics suggestion",
                Optional.of("alice@example.com"));
        return new ApprovalRequest(
                RequestId.random(),
                new Agent("countersign:policy", Map.of()),
                action,
                action.digest(),
                decision,
                RequestStatus.PENDING,
                List.of(),
                SlackRequests.T0,
                Optional.of(SlackRequests.T0.plus(Duration.ofHours(24))),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Delegation.VERIFIED,
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void showsTheReplaysImpact_theHumanDeniedRequestsNowAllowed_theEvidence_andTheLineDiff() {
        ApprovalRequest request = change("""
                {"version": "sha256:2", "previousVersion": "sha256:1",
                 "lineDiff": "@@ -3,2 +3,5 @@\\n rules:\\n+  - name: reporter-reads\\n+    effect: allow\\n",
                 "impact": {"summary": "11 of 57 recorded request(s) would be decided differently; 1 that a human denied would now be allowed",
                            "humanDeniedNowAllowedRequests": [{"id": "req_denied1"}]},
                 "evidence": {"summary": "db.query on db/analytics/* by agent reporter was approved 38 of 38 times"},
                 "content": "rules: []"}
                """);

        String blocks = GsonFactory.createSnakeCase()
                .toJson(ApprovalMessage.render(request, "https://cs.example.com")
                        .blocks());

        assertThat(blocks)
                .contains(
                        "*Replay*: 11 of 57 recorded request(s) would be decided differently; 1 that a human denied would now be allowed (req_denied1)",
                        "*Evidence*: db.query on db/analytics/* by agent reporter was approved 38 of 38 times",
                        "*Line diff*\\n```@@ -3,2 +3,5 @@\\n rules:\\n+  - name: reporter-reads");
    }

    @Test
    void anOrdinaryRequestHasNoPolicyChangeSection() {
        assertThat(GsonFactory.createSnakeCase()
                        .toJson(ApprovalMessage.render(SlackRequests.pending(), "https://cs.example.com")
                                .blocks()))
                .doesNotContain("*Replay*", "*Line diff*");
    }
}
