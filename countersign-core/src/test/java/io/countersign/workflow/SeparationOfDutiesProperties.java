package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.policy.ApprovalRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariant 2 over random requirements, people and vote sequences: whatever happens, a request is
 * approved only when every requirement has its quorum of distinct approving members, none of them
 * the human the agent acts for.
 */
class SeparationOfDutiesProperties {
    private static final List<String> GROUPS = List.of("a", "b", "c");

    record Ballot(int voter, boolean approve) {}

    @Property(tries = 300)
    void approvedOnlyByDistinctEligibleHumans(
            @ForAll("requirements") List<ApprovalRequirement> requirements,
            @ForAll("people") List<Human> people,
            @ForAll("ballots") List<Ballot> ballots,
            @ForAll("onBehalfOfIndex") int onBehalfOf) {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryStore store = new InMemoryStore();
        Workflow workflow = new Workflow(new StubPolicy(Map.of("x.do", StubPolicy.requireApproval(requirements.toArray(ApprovalRequirement[]::new)))),
                store, clock, new GrantTokens(new byte[32]), new VotingRule(), RequestListener.NONE, WorkflowSettings.defaults());
        Optional<String> actingFor = onBehalfOf < people.size() ? Optional.of(people.get(onBehalfOf).name()) : Optional.empty();
        RequestId id = workflow.submit(Agent.named("bot"), new Action("x.do", "r/1", Action.noParams(), "why", actingFor), Optional.empty()).id();

        for (Ballot ballot : ballots) {
            Human voter = people.get(ballot.voter() % people.size());
            try {
                if (ballot.approve()) {
                    workflow.approve(voter, id, Optional.empty(), "api");
                } else {
                    workflow.deny(voter, id, "no", "api");
                }
            } catch (WorkflowException refused) {
                // refused votes change nothing; the assertions below check that
            }
        }

        ApprovalRequest end = workflow.find(id).orElseThrow();
        assertThat(end.votes().stream().map(Vote::voter).distinct().count()).as("one vote per person").isEqualTo(end.votes().size());
        assertThat(end.votes()).as("the onBehalfOf human never votes")
                .noneMatch(vote -> actingFor.isPresent() && vote.voter().equals(actingFor.get()));
        for (Vote vote : end.votes()) {
            Human voter = people.stream().filter(p -> p.name().equals(vote.voter())).findFirst().orElseThrow();
            assertThat(requirements.stream().anyMatch(r -> voter.isMemberOfAny(r.groups()))).as("a non-member's vote never counts").isTrue();
        }
        if (end.status() == RequestStatus.APPROVED) {
            for (ApprovalRequirement requirement : requirements) {
                Set<String> approvers = end.votes().stream()
                        .filter(v -> v.choice() == Vote.Choice.APPROVE)
                        .filter(v -> v.groups().stream().anyMatch(requirement.groups()::contains))
                        .map(Vote::voter).collect(Collectors.toSet());
                assertThat(approvers.size()).as("quorum of " + requirement).isGreaterThanOrEqualTo(requirement.quorum());
            }
        }
    }

    @Provide
    Arbitrary<List<ApprovalRequirement>> requirements() {
        Arbitrary<ApprovalRequirement> one = Combinators.combine(
                Arbitraries.of(GROUPS).set().ofMinSize(1).ofMaxSize(2),
                Arbitraries.integers().between(1, 3),
                Arbitraries.strings().alpha().ofLength(5))
                .as((groups, quorum, name) -> new ApprovalRequirement(name, groups, quorum, Duration.ofHours(1)));
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<Human>> people() {
        return Arbitraries.of(GROUPS).set().ofMaxSize(3).list().ofMinSize(1).ofMaxSize(6)
                .map(groupSets -> {
                    java.util.ArrayList<Human> humans = new java.util.ArrayList<>();
                    for (int i = 0; i < groupSets.size(); i++) {
                        humans.add(new Human("h" + i, "h" + i + "@example.com", groupSets.get(i)));
                    }
                    return humans;
                });
    }

    @Provide
    Arbitrary<List<Ballot>> ballots() {
        return Combinators.combine(Arbitraries.integers().between(0, 20), Arbitraries.of(true, true, true, false))
                .as(Ballot::new).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<Integer> onBehalfOfIndex() {
        return Arbitraries.integers().between(0, 8);
    }
}
