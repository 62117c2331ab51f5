package io.countersign.server.teams;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** A policy change's card shows the replay's impact, the adopted suggestion's evidence and the line diff in monospace. */
class PolicyChangeCardTest {
    private final ApprovalCard cards = new ApprovalCard(
            FakeTeams.MAPPER,
            request -> "https://countersign.example.com/console/requests/"
                    + request.id().value());

    @Test
    void showsTheReplay_theEvidence_andTheLineDiffWithItsNewlines() {
        ObjectNode params = (ObjectNode) FakeTeams.MAPPER.readTree("""
                {"version": "sha256:2",
                 "lineDiff": "@@ -3,2 +3,4 @@\\n rules:\\n+  - name: reporter-reads\\n",
                 "impact": {"summary": "11 of 57 recorded request(s) would be decided differently; 1 that a human denied would now be allowed"},
                 "evidence": {"summary": "db.query on db/analytics/* by agent reporter was approved 38 of 38 times"}}
                """);
        Action change = new Action(
                "policy.change",
                "policy/policy.yaml",
                params,
                "adopt the suggestion",
                Optional.of("alice@example.com"));

        ObjectNode card = cards.render(ApprovalCardTest.pending(change, false), ApprovalCard.Mode.INTERACTIVE);

        ApprovalCardTest.assertAdaptiveCard15(card);
        String body = card.path("body").toString();
        assertThat(body)
                .contains(
                        "\"text\":\"Replay: \"",
                        "1 that a human denied would now be allowed",
                        "approved 38 of 38 times",
                        "\"text\":\"\\n@@ -3,2 +3,4 @@\\n rules:\\n+  - name: reporter-reads\\n\",\"fontType\":\"Monospace\"");
    }

    @Test
    void anOrdinaryRequestHasNoReplayOrDiff() {
        ObjectNode card = cards.render(
                ApprovalCardTest.pending(ApprovalCardTest.export("monthly report"), false),
                ApprovalCard.Mode.INTERACTIVE);

        assertThat(card.path("body").toString()).doesNotContain("Replay: ", "Line diff:");
    }
}
