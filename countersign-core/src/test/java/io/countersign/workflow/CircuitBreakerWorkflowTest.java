package io.countersign.workflow;

import static io.countersign.workflow.WorkflowFixture.action;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.audit.AuditEntry;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Circuit breakers in the workflow: the policy's breakers over the in-memory store and a fake clock. */
class CircuitBreakerWorkflowTest {
    private static final String POLICY = """
            default: deny
            rules:
              - name: deletes
                match: {action: "db.delete"}
                effect: allow
                breaker: {max: 3, per: 1m, then: deny}
              - name: restarts
                match: {action: "svc.restart"}
                effect: allow
                breaker: {max: 2, per: 1m, then: require_approval, approval: {groups: [sre], timeout: 10m}}
              - name: exports
                match: {action: "db.export"}
                effect: require_approval
                approval: {groups: [data-owners]}
                breaker: {max: 1, per: 1h, then: require_approval}
              - name: reads
                match: {action: "db.query"}
                effect: allow
              - name: iam
                match: {action: "iam.*"}
                effect: deny
            breakers:
              - {name: denial-burst, agent: "batch-*", on: denied, max: 2, per: 1m, then: deny}
            """;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final Subscriptions slackWantsNotices =
            (type, request) -> type == NotificationType.NOTICE ? List.of("slack") : List.of();
    private final Workflow workflow = new Workflow(
            Policy.parse("policy.yaml", POLICY),
            store,
            clock,
            new GrantTokens(new byte[32]),
            new VotingRule(),
            request -> {},
            new WorkflowSettings(Duration.ofMinutes(5)),
            AgentSuspensions.NONE,
            Notifier.NONE,
            slackWantsNotices);
    private final BreakerReset reset = new BreakerReset(store, clock);
    private final Agent cleaner = Agent.named("cleaner");

    private ApprovalRequest submit(Agent agent, String action) {
        return workflow.submit(agent, action(action, "db/prod/customers"), Optional.empty());
    }

    private List<RequestStatus> submitTimes(int times, Agent agent, String action) {
        List<RequestStatus> statuses = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            statuses.add(submit(agent, action).status());
            clock.advance(Duration.ofSeconds(1));
        }
        return statuses;
    }

    @Test
    void tripsAtTheActionThatExceedsMax_notAtMax() {
        assertThat(submitTimes(3, cleaner, "db.delete")).containsOnly(RequestStatus.APPROVED);

        ApprovalRequest fourth = submit(cleaner, "db.delete");

        assertThat(fourth.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(fourth.decision().effect()).isEqualTo(Effect.DENY);
        assertThat(fourth.decision().rules()).containsExactly("deletes");
        assertThat(fourth.decision().reason())
                .contains(
                        "breaker 'deletes' is tripped for agent cleaner",
                        "4 actions under rule 'deletes' within 1m",
                        "more than 3",
                        "until a human resets it",
                        "[policy: allowed by rule 'deletes']");
        assertThat(workflow.grantToken(fourth)).isEmpty();
    }

    @Test
    void actionsOutsideTheWindowDoNotCount() {
        assertThat(submitTimes(3, cleaner, "db.delete")).containsOnly(RequestStatus.APPROVED);
        clock.advance(Duration.ofSeconds(57)); // the first of the three is now exactly a minute old: out of the window

        assertThat(submit(cleaner, "db.delete").status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(submit(cleaner, "db.delete").status()).isEqualTo(RequestStatus.DENIED);
    }

    @Test
    void holdsEveryLaterActionUntilAHumanResetsIt_thenCountsFromZero() {
        submitTimes(4, cleaner, "db.delete");
        clock.advance(Duration.ofHours(3));

        assertThat(submitTimes(2, cleaner, "db.delete")).containsOnly(RequestStatus.DENIED);
        assertThat(submit(cleaner, "db.query").status())
                .as("actions the breaker does not cover")
                .isEqualTo(RequestStatus.APPROVED);

        reset.reset("cleaner", "deletes", "human:alice", "the cleanup job was misconfigured; fixed");

        assertThat(submitTimes(3, cleaner, "db.delete")).containsOnly(RequestStatus.APPROVED);
        assertThat(submit(cleaner, "db.delete").status()).isEqualTo(RequestStatus.DENIED);
    }

    @Test
    void holdsOnlyTheAgentThatTrippedIt() {
        submitTimes(4, cleaner, "db.delete");

        assertThat(submit(Agent.named("other"), "db.delete").status()).isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void tripAndResetAreInTheAuditLog() {
        submitTimes(3, cleaner, "db.delete");
        ApprovalRequest tripping = submit(cleaner, "db.delete");
        submit(cleaner, "db.delete");

        reset.reset("cleaner", "deletes", "human:alice", "fixed the job");

        List<AuditEntry> trips = entries("breaker.tripped");
        assertThat(trips).hasSize(1);
        assertThat(trips.getFirst().event().requestId()).contains(tripping.id().value());
        assertThat(trips.getFirst().event().data().toString())
                .contains(
                        "\"agent\":\"cleaner\"",
                        "\"breaker\":\"deletes\"",
                        "\"count\":4",
                        "\"max\":3",
                        "\"window\":\"PT1M\"",
                        "\"then\":\"deny\"");
        List<AuditEntry> resets = entries("breaker.reset");
        assertThat(resets).hasSize(1);
        assertThat(resets.getFirst().event().actor()).isEqualTo("human:alice");
        assertThat(resets.getFirst().event().data().toString())
                .contains(
                        "\"agent\":\"cleaner\"",
                        "\"breaker\":\"deletes\"",
                        "\"count\":4",
                        "\"comment\":\"fixed the job\"");
        assertThat(store.auditTypes(tripping.id()))
                .containsExactly(
                        "request.created", "decision.made", "request.denied", "breaker.tripped", "breaker.reset");
    }

    @Test
    void theTripIsWrittenToTheOutboxAsANotice() {
        submitTimes(3, cleaner, "db.delete");
        ApprovalRequest tripping = submit(cleaner, "db.delete");
        submit(cleaner, "db.delete");

        List<OutboxEvent> notices = store.outbox().stream()
                .filter(event -> event.type() == NotificationType.NOTICE)
                .toList();
        assertThat(notices).hasSize(1);
        assertThat(notices.getFirst().channel()).isEqualTo("slack");
        assertThat(notices.getFirst().request()).contains(tripping.id().value());
        assertThat(notices.getFirst().payload())
                .contains(
                        "\"group\":\"admins\"",
                        "Circuit breaker 'deletes' tripped for agent cleaner",
                        "countersign breakers reset cleaner deletes");
    }

    @Test
    void requireApprovalBreaker_asksTheBreakersApprovers_andTellsThem() {
        assertThat(submitTimes(2, cleaner, "svc.restart")).containsOnly(RequestStatus.APPROVED);

        ApprovalRequest third = submit(cleaner, "svc.restart");

        assertThat(third.status()).isEqualTo(RequestStatus.PENDING);
        assertThat(third.decision().approvals()).singleElement().satisfies(requirement -> {
            assertThat(requirement.groups()).isEqualTo(Set.of("sre"));
            assertThat(requirement.timeout()).isEqualTo(Duration.ofMinutes(10));
        });
        assertThat(store.outbox())
                .filteredOn(event -> event.type() == NotificationType.NOTICE)
                .singleElement()
                .satisfies(event -> assertThat(event.payload()).contains("\"group\":\"sre\""));
    }

    @Test
    void requireApprovalBreakerOnARequireApprovalRule_keepsTheRulesApproval() {
        assertThat(submit(cleaner, "db.export").status()).isEqualTo(RequestStatus.PENDING);

        ApprovalRequest second = submit(cleaner, "db.export");

        assertThat(second.status()).isEqualTo(RequestStatus.PENDING);
        assertThat(second.decision().reason()).contains("breaker 'exports' is tripped");
        assertThat(second.decision().approvals())
                .singleElement()
                .satisfies(requirement -> assertThat(requirement.groups()).containsExactly("data-owners"));
        assertThat(store.outbox())
                .filteredOn(event -> event.type() == NotificationType.NOTICE)
                .singleElement()
                .satisfies(event -> assertThat(event.payload()).contains("\"group\":\"data-owners\""));
    }

    @Test
    void aBurstOfDenialsTripsTheAgentBreaker_andThenEveryActionIsDenied() {
        Agent batch = Agent.named("batch-7");
        assertThat(submitTimes(3, batch, "iam.grant")).containsOnly(RequestStatus.DENIED);

        ApprovalRequest read = submit(batch, "db.query");

        assertThat(read.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(read.decision().reason())
                .contains("breaker 'denial-burst' is tripped for agent batch-7", "3 denials within 1m, more than 2");
        assertThat(entries("breaker.tripped")).singleElement().satisfies(entry -> assertThat(
                        entry.event().data().get("breaker").asString())
                .isEqualTo("denial-burst"));
        assertThat(submit(cleaner, "db.query").status())
                .as("agents outside the breaker's glob")
                .isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void allowedActionsDoNotCountTowardADenialBreaker() {
        Agent batch = Agent.named("batch-7");

        assertThat(submitTimes(10, batch, "db.query")).containsOnly(RequestStatus.APPROVED);
    }

    @Test
    void resettingABreakerThatIsNotTripped_isNotFound_andLogsNothing() {
        assertThatThrownBy(() -> reset.reset("cleaner", "deletes", "human:alice", "no reason"))
                .isInstanceOf(WorkflowException.NotFound.class)
                .hasMessage("breaker 'deletes' is not tripped for agent cleaner");
        assertThat(entries("breaker.reset")).isEmpty();
    }

    @Test
    void resettingWithoutAComment_isRefused_andTheBreakerHolds() {
        submitTimes(4, cleaner, "db.delete");

        assertThatThrownBy(() -> reset.reset("cleaner", "deletes", "human:alice", " "))
                .isInstanceOf(WorkflowException.Unprocessable.class);
        assertThat(submit(cleaner, "db.delete").status()).isEqualTo(RequestStatus.DENIED);
    }

    @Test
    void replayingAnIdempotencyKeyDoesNotCount() {
        for (int i = 0; i < 5; i++) {
            workflow.submit(cleaner, action("db.delete", "db/prod/customers"), Optional.of("same-key"));
        }

        assertThat(submitTimes(2, cleaner, "db.delete")).containsOnly(RequestStatus.APPROVED);
    }

    private List<AuditEntry> entries(String type) {
        return store.audit().stream()
                .filter(entry -> entry.event().type().wireName().equals(type))
                .toList();
    }
}
