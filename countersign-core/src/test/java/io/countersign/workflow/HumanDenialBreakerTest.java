package io.countersign.workflow;

import static io.countersign.workflow.WorkflowFixture.action;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.audit.AuditEntry;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Human;
import io.countersign.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A burst of denials by humans trips an agent breaker with {@code on: human_denied} or {@code on: any_denied}. */
class HumanDenialBreakerTest {
    private static final String RULES = """
            default: deny
            rules:
              - name: exports
                match: {action: "db.export"}
                effect: require_approval
                approval: {groups: [data-owners], timeout: 1h}
              - name: reads
                match: {action: "db.query"}
                effect: allow
              - name: iam
                match: {action: "iam.*"}
                effect: deny
            breakers:
            """;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final Agent exporter = Agent.named("exporter");
    private final Human owner = new Human("dana", "dana@example.com", Set.of("data-owners"));

    private Workflow workflow(String on) {
        return new Workflow(
                Policy.parse(
                        "policy.yaml",
                        RULES + "  - {name: refusals, agent: \"*\", on: " + on + ", max: 2, per: 1h, then: deny}\n"),
                store,
                clock,
                new GrantTokens(new byte[32]),
                new VotingRule(),
                request -> {},
                new WorkflowSettings(Duration.ofMinutes(5)),
                AgentSuspensions.NONE,
                Notifier.NONE,
                (type, request) -> List.of());
    }

    private ApprovalRequest submit(Workflow workflow, String action) {
        clock.advance(Duration.ofSeconds(10));
        return workflow.submit(exporter, action(action, "db/prod/customers"), Optional.empty());
    }

    private void humanDenies(Workflow workflow, int times) {
        for (int i = 0; i < times; i++) {
            ApprovalRequest pending = submit(workflow, "db.export");
            assertThat(pending.status()).isEqualTo(RequestStatus.PENDING);
            workflow.deny(owner, pending.id(), "not this table", "api");
        }
    }

    private List<AuditEntry> trips() {
        return store.audit().stream()
                .filter(entry -> entry.event().type().wireName().equals("breaker.tripped"))
                .toList();
    }

    @Test
    void theDenialThatExceedsMaxTripsTheBreaker_andTheAgentsNextActionsAreDenied() {
        Workflow workflow = workflow("human_denied");
        humanDenies(workflow, 2);
        assertThat(trips()).isEmpty();
        assertThat(submit(workflow, "db.query").status()).isEqualTo(RequestStatus.APPROVED);

        humanDenies(workflow, 1);

        assertThat(trips()).singleElement().satisfies(trip -> assertThat(
                        trip.event().data().toString())
                .contains("\"count\":3", "\"counting\":\"denials by a human\"", "\"then\":\"deny\""));
        ApprovalRequest next = submit(workflow, "db.query");
        assertThat(next.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(next.decision().reason()).contains("breaker 'refusals' is tripped for agent exporter");
    }

    @Test
    void humanDeniedDoesNotCountThePolicysDenials() {
        Workflow workflow = workflow("human_denied");
        for (int i = 0; i < 5; i++) {
            assertThat(submit(workflow, "iam.grant").status()).isEqualTo(RequestStatus.DENIED);
        }
        humanDenies(workflow, 2);

        assertThat(trips()).isEmpty();
    }

    @Test
    void anyDeniedCountsThePolicysAndTheHumansDenialsTogether() {
        Workflow workflow = workflow("any_denied");
        submit(workflow, "iam.grant");
        humanDenies(workflow, 1);
        assertThat(trips()).isEmpty();

        humanDenies(workflow, 1);

        assertThat(trips()).hasSize(1);
        assertThat(submit(workflow, "db.export").status()).isEqualTo(RequestStatus.DENIED);
    }

    @Test
    void deniedStillCountsOnlyThePolicysDenials() {
        Workflow workflow = workflow("denied");
        humanDenies(workflow, 5);

        assertThat(trips()).isEmpty();
    }
}
