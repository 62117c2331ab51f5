package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.audit.AuditEntry;
import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Human;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, point 3: a vote the vote rule refuses is an authorization event, recorded as one
 * {@code vote.refused} entry (who, why, channel), and nothing else of the vote lands.
 */
class RefusedVotesTest {
    private final WorkflowFixture fixture = new WorkflowFixture();

    private List<AuditEvent> refusals() {
        return fixture.store.audit().stream()
                .map(AuditEntry::event)
                .filter(event -> event.type() == AuditEventType.VOTE_REFUSED)
                .toList();
    }

    @Test
    void theHumanTheRequestActsFor_underAnotherSpelling_isRefused_andTheRefusalIsRecorded() {
        ApprovalRequest request =
                fixture.submit(WorkflowFixture.onBehalfOf("db.export", "db/prod/customers", "ALICE@example.com"));
        int before = fixture.store.audit().size();

        assertThatThrownBy(() -> fixture.workflow.approve(fixture.alice, request.id(), Optional.of("mine"), "console"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("acts on behalf of");

        assertThat(fixture.store.audit()).hasSize(before + 1);
        AuditEvent refused = refusals().getFirst();
        assertThat(refused.actor()).isEqualTo("human:alice");
        assertThat(refused.requestId()).contains(request.id().value());
        assertThat(refused.data().path("choice").asString()).isEqualTo("approve");
        assertThat(refused.data().path("channel").asString()).isEqualTo("console");
        assertThat(refused.data().path("voter").asString()).isEqualTo("alice");
        assertThat(refused.data().path("email").asString()).isEqualTo("alice@example.com");
        assertThat(refused.data().path("reason").asString()).contains("acts on behalf of");
        assertThat(refused.data().path("status").asString()).isEqualTo("pending");
        assertThat(fixture.workflow.find(request.id()).orElseThrow().votes()).isEmpty();
    }

    @Test
    void aNonMember_aSecondVote_andAVoteOnADecidedRequest_areEachRecorded() {
        ApprovalRequest twoNeeded = fixture.submit(WorkflowFixture.action("secrets.rotate", "vault/db"));
        fixture.workflow.approve(fixture.alice, twoNeeded.id(), Optional.empty(), "api");

        assertThatThrownBy(() -> fixture.workflow.approve(fixture.mallory, twoNeeded.id(), Optional.empty(), "slack"))
                .isInstanceOf(WorkflowException.Forbidden.class);
        assertThatThrownBy(() -> fixture.workflow.deny(fixture.alice, twoNeeded.id(), "changed my mind", "teams"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("already voted");
        fixture.workflow.approve(fixture.carol, twoNeeded.id(), Optional.empty(), "api");
        assertThatThrownBy(() -> fixture.workflow.approve(fixture.bob, twoNeeded.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Conflict.class);

        assertThat(refusals())
                .extracting(event -> event.data().path("voter").asString() + " "
                        + event.data().path("choice").asString()
                        + " via " + event.data().path("channel").asString() + " on a "
                        + event.data().path("status").asString() + " request")
                .containsExactly(
                        "mallory approve via slack on a pending request",
                        "alice deny via teams on a pending request",
                        "bob approve via api on a approved request");
        assertThat(refusals().get(0).data().path("reason").asString()).contains("not in any group");
        assertThat(refusals().get(2).data().path("reason").asString()).contains("no longer pending");
        assertThat(fixture.workflow.find(twoNeeded.id()).orElseThrow().votes()).hasSize(2);
    }

    @Test
    void badInput_andAnUnknownRequest_recordNothing() {
        ApprovalRequest request = fixture.pendingExport();
        int before = fixture.store.audit().size();

        assertThatThrownBy(() -> fixture.workflow.deny(fixture.mallory, request.id(), " ", "api"))
                .isInstanceOf(WorkflowException.Unprocessable.class);
        assertThatThrownBy(() -> fixture.workflow.approve(fixture.bob, RequestId.random(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.NotFound.class);

        assertThat(fixture.store.audit()).hasSize(before);
    }

    @Test
    void aRefusalAChannelFoundItself_isRecordedTheSameWay() {
        ApprovalRequest request = fixture.pendingExport();
        Human outsider = new Human("eve", "eve@example.com", Set.of("marketing"));
        Voter voter = Voter.of(outsider);
        VotingRule.Refusal refusal = fixture.workflow
                .whyNotAllowedToVote(voter, Vote.Choice.APPROVE, request)
                .orElseThrow();

        fixture.workflow.recordRefusedVote(voter, Vote.Choice.APPROVE, request, "slack", refusal);
        fixture.workflow.recordRefusedVote(
                voter, Vote.Choice.APPROVE, request, "slack", new VotingRule.Refusal("sign in again", true));

        assertThat(refusals()).singleElement().satisfies(event -> {
            assertThat(event.actor()).isEqualTo("human:eve");
            assertThat(event.data().path("channel").asString()).isEqualTo("slack");
            assertThat(event.data().path("reason").asString()).isEqualTo(refusal.reason());
        });
    }
}
