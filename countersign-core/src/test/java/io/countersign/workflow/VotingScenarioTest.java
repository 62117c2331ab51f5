package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Human;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Votes in order, with the state expected after each: the state machine as a table. */
class VotingScenarioTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # scenario                         | action            | votes (who:choice, ...)                   | states after each vote
            quorum 1 approved by a member      | db.export         | alice:approve                             | approved
            non-member then member             | db.export         | mallory:approve, alice:approve            | refused, approved
            quorum 2, same person twice        | secrets.rotate    | alice:approve, alice:approve, carol:approve | pending, refused, approved
            deny wins at once                  | secrets.rotate    | alice:approve, carol:deny, bob:approve    | pending, denied, refused
            two requirements                   | deploy.production | alice:approve, carol:approve, bob:approve | pending, refused, approved
            """)
    void votesInOrder(String scenario, String action, String votes, String states) {
        WorkflowFixture f = new WorkflowFixture();
        RequestId id = f.submit(WorkflowFixture.action(action, "r/x")).id();
        String[] ballots = votes.split(",\\s*");
        String[] expected = states.split(",\\s*");
        assertThat(ballots).hasSameSizeAs(expected);

        for (int i = 0; i < ballots.length; i++) {
            String[] parts = ballots[i].split(":");
            Human who =
                    switch (parts[0]) {
                        case "alice" -> f.alice;
                        case "bob" -> f.bob;
                        case "carol" -> f.carol;
                        default -> f.mallory;
                    };
            String outcome;
            try {
                ApprovalRequest after = parts[1].equals("approve")
                        ? f.workflow.approve(who, id, Optional.empty(), "api")
                        : f.workflow.deny(who, id, "no", "api");
                outcome = after.status().wireName();
            } catch (WorkflowException refused) {
                outcome = "refused";
            }
            assertThat(outcome)
                    .as("%s, after vote %d (%s)", scenario, i + 1, ballots[i])
                    .isEqualTo(expected[i]);
        }
    }
}
