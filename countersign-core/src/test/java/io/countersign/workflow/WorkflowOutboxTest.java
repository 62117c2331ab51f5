package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Human;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import io.countersign.policy.ApprovalRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The workflow writes each change to the outbox, for the channels that want it, in the transaction that makes the change. */
class WorkflowOutboxTest {
    private static final ApprovalRequirement TWO_SRE =
            new ApprovalRequirement("two-sre", Set.of("sre"), 2, Duration.ofMinutes(30));

    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    /** "slack" hears of pending requests only; "webhook:ops" of everything. */
    private final Subscriptions subscriptions = (type, request) ->
            request.filter(r -> r.decision().approvals().isEmpty()).isPresent()
                    ? List.of("webhook:ops")
                    : List.of("slack", "webhook:ops");

    private final Workflow workflow = new Workflow(
            new StubPolicy(Map.of(
                    "db.query", StubPolicy.allow("reads"),
                    "incident.fix", StubPolicy.requireApproval(TWO_SRE))),
            store,
            clock,
            new GrantTokens(new byte[32]),
            new VotingRule(Optional.of("incident-commanders"), Duration.ofMinutes(10)),
            RequestListener.NONE,
            WorkflowSettings.defaults(),
            AgentSuspensions.NONE,
            Notifier.NONE,
            subscriptions);
    private final Agent bot = Agent.named("bot");
    private final Human sam = new Human("sam", "sam@example.com", Set.of("sre"));
    private final Human kim = new Human("kim", "kim@example.com", Set.of("sre"));
    private final Human ic = new Human("ic", "ic@example.com", Set.of("sre", "incident-commanders"));

    private List<String> outbox() {
        return store.outbox().stream()
                .map(event -> event.channel() + " " + event.type().wireName())
                .toList();
    }

    private ApprovalRequest submit(String action) {
        return workflow.submit(
                bot, new Action(action, "r/1", Action.noParams(), "page", Optional.empty()), Optional.empty());
    }

    @Test
    void anAllowedAction_isCreatedAndDecided_forTheChannelsThatWantIt() {
        ApprovalRequest allowed = submit("db.query");

        assertThat(outbox()).containsExactly("webhook:ops request.created", "webhook:ops request.decided");
        assertThat(store.outbox()).allSatisfy(event -> {
            assertThat(event.request()).contains(allowed.id().value());
            assertThat(event.at()).isEqualTo(clock.instant());
        });
    }

    @Test
    void aPendingRequest_isCreated_votedOn_decided_andExecuted() {
        ApprovalRequest pending = submit("incident.fix");
        assertThat(outbox()).containsExactly("slack request.created", "webhook:ops request.created");

        workflow.approve(sam, pending.id(), Optional.empty(), "api");
        assertThat(outbox()).endsWith("slack request.voted", "webhook:ops request.voted");

        ApprovalRequest approved = workflow.approve(kim, pending.id(), Optional.empty(), "api");
        assertThat(outbox()).endsWith("slack request.decided", "webhook:ops request.decided");

        workflow.reportExecution(
                bot,
                pending.id(),
                workflow.grantToken(approved).orElseThrow(),
                Optional.empty(),
                Execution.Outcome.SUCCEEDED,
                Optional.empty());
        assertThat(outbox()).endsWith("slack action.executed", "webhook:ops action.executed");
    }

    @Test
    void expiryAndCancel_areDecisionsToo() {
        ApprovalRequest expiring = submit("incident.fix");
        ApprovalRequest cancelled = submit("incident.fix");
        workflow.cancel(bot, cancelled.id());
        clock.advance(Duration.ofMinutes(31));
        workflow.expireDue();

        assertThat(store.outbox())
                .filteredOn(event -> event.type() == NotificationType.REQUEST_DECIDED)
                .extracting(event -> event.request().orElseThrow())
                .containsExactly(
                        cancelled.id().value(),
                        cancelled.id().value(),
                        expiring.id().value(),
                        expiring.id().value());
    }

    @Test
    void aRefusedVote_writesNothing() {
        ApprovalRequest pending = submit("incident.fix");
        int before = store.outbox().size();

        assertThatThrownBy(() -> workflow.approve(
                        new Human("eve", "eve@example.com", Set.of("finance")), pending.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class);

        assertThat(store.outbox()).hasSize(before);
    }

    @Test
    void breakGlass_writesANoticeForTheBreakGlassGroup() {
        ApprovalRequest pending = submit("incident.fix");

        workflow.approve(
                new Voter(ic, Optional.empty(), Optional.of("SEV1 outage")), pending.id(), Optional.empty(), "api");

        OutboxEvent notice = store.outbox().stream()
                .filter(event -> event.type() == NotificationType.NOTICE)
                .findFirst()
                .orElseThrow();
        assertThat(notice.request()).contains(pending.id().value());
        assertThat(notice.payload())
                .contains(
                        "\"group\":\"incident-commanders\"",
                        "SEV1 outage",
                        "Another human must acknowledge the review");
    }
}
