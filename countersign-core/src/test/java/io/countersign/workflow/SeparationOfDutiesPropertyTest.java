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
class SeparationOfDutiesPropertyTest {
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
        Workflow workflow = new Workflow(
                new StubPolicy(
                        Map.of("x.do", StubPolicy.requireApproval(requirements.toArray(ApprovalRequirement[]::new)))),
                store,
                clock,
                new GrantTokens(new byte[32]),
                new VotingRule(),
                RequestListener.NONE,
                WorkflowSettings.defaults());
        Optional<String> actingFor =
                onBehalfOf < people.size() ? Optional.of(people.get(onBehalfOf).name()) : Optional.empty();
        RequestId id = workflow.submit(
                        Agent.named("bot"),
                        new Action("x.do", "r/1", Action.noParams(), "why", actingFor),
                        Optional.empty())
                .id();

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
        assertThat(end.votes().stream().map(Vote::voter).distinct().count())
                .as("one vote per person")
                .isEqualTo(end.votes().size());
        assertThat(end.votes())
                .as("the onBehalfOf human never votes")
                .noneMatch(vote -> actingFor.isPresent() && vote.voter().equals(actingFor.get()));
        for (Vote vote : end.votes()) {
            Human voter = people.stream()
                    .filter(p -> p.name().equals(vote.voter()))
                    .findFirst()
                    .orElseThrow();
            assertThat(requirements.stream().anyMatch(r -> voter.isMemberOfAny(r.groups())))
                    .as("a non-member's vote never counts")
                    .isTrue();
        }
        if (end.status() == RequestStatus.APPROVED) {
            for (ApprovalRequirement requirement : requirements) {
                Set<String> approvers = end.votes().stream()
                        .filter(v -> v.choice() == Vote.Choice.APPROVE)
                        .filter(v -> v.groups().stream().anyMatch(requirement.groups()::contains))
                        .map(Vote::voter)
                        .collect(Collectors.toSet());
                assertThat(approvers.size())
                        .as("quorum of " + requirement)
                        .isGreaterThanOrEqualTo(requirement.quorum());
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
        return Arbitraries.of(GROUPS)
                .set()
                .ofMaxSize(3)
                .list()
                .ofMinSize(1)
                .ofMaxSize(6)
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
                .as(Ballot::new)
                .list()
                .ofMaxSize(12);
    }

    @Provide
    Arbitrary<Integer> onBehalfOfIndex() {
        return Arbitraries.integers().between(0, 8);
    }

    /** A voter of the second property: an index into the people, what they vote, and whether they break the glass. */
    record Attempt(int voter, int kind) {
        static final int APPROVE = 0;
        static final int DENY = 1;
        static final int BREAK_GLASS = 2;
    }

    /**
     * Invariant 2 with everything this gateway adds: identities linked by email (a local token and
     * an OIDC sign-in of one person), scoped and suspended agents, and break-glass. Without
     * break-glass: approved only by the required quorum of distinct persons, never by the
     * onBehalfOf human, never by a non-member. With it: only a member of the break-glass group
     * broke it, with a reason, and a review is open. An agent can't vote at all: the workflow
     * takes only humans, and the HTTP edge refuses agent credentials (RouteAccessTest).
     */
    @Property(tries = 300)
    void approvedOnlyAsTheVotingRuleAllows_withLinkedIdentitiesAndBreakGlass(
            @ForAll("requirements") List<ApprovalRequirement> requirements,
            @ForAll("linkedPeople") List<Human> people,
            @ForAll("attempts") List<Attempt> attempts,
            @ForAll("onBehalfOfIndex") int onBehalfOf,
            @ForAll boolean suspendAgent) {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryStore store = new InMemoryStore();
        FakeSuspensions suspensions = store.suspensions();
        List<Notifier.Notice> notices = new java.util.ArrayList<>();
        Workflow workflow = new Workflow(
                new StubPolicy(
                        Map.of("x.do", StubPolicy.requireApproval(requirements.toArray(ApprovalRequirement[]::new)))),
                store,
                clock,
                new GrantTokens(new byte[32]),
                new VotingRule(Optional.of("bg"), Duration.ofMinutes(10)),
                RequestListener.NONE,
                WorkflowSettings.defaults(),
                suspensions,
                notices::add);
        Optional<Human> actingFor = onBehalfOf < people.size() ? Optional.of(people.get(onBehalfOf)) : Optional.empty();
        RequestId id = workflow.submit(
                        Agent.named("bot"),
                        new Action("x.do", "r/1", Action.noParams(), "why", actingFor.map(Human::email)),
                        Optional.empty())
                .id();
        if (suspendAgent) {
            new KillSwitch(store, suspensions, clock, RequestListener.NONE).suspend("bot", "human:admin", "test");
        }

        for (Attempt attempt : attempts) {
            Human human = people.get(attempt.voter() % people.size());
            try {
                switch (attempt.kind()) {
                    case Attempt.APPROVE -> workflow.approve(human, id, Optional.empty(), "api");
                    case Attempt.DENY -> workflow.deny(human, id, "no", "api");
                    default ->
                        workflow.approve(
                                new Voter(human, Optional.empty(), Optional.of("emergency")),
                                id,
                                Optional.empty(),
                                "api");
                }
            } catch (WorkflowException refused) {
                // refused votes change nothing; the assertions below check that
            }
        }

        ApprovalRequest end = workflow.find(id).orElseThrow();
        assertThat(end.votes().stream()
                        .map(vote -> vote.email().toLowerCase(java.util.Locale.ROOT))
                        .distinct()
                        .count())
                .as("one vote per person, however many identities")
                .isEqualTo(end.votes().size());
        if (suspendAgent) {
            assertThat(end.status()).as("a suspended agent's request is denied").isEqualTo(RequestStatus.DENIED);
            assertThat(end.votes()).as("nobody votes on it afterwards").isEmpty();
            return;
        }
        if (end.breakGlass().isPresent()) {
            BreakGlass glass = end.breakGlass().get();
            Human breaker = people.stream()
                    .filter(p -> p.name().equals(glass.usedBy()))
                    .findFirst()
                    .orElseThrow();
            assertThat(breaker.groups())
                    .as("only the break-glass group breaks it")
                    .contains("bg");
            assertThat(glass.reason()).isNotBlank();
            assertThat(glass.reviewOpen()).isTrue();
            assertThat(end.status()).isEqualTo(RequestStatus.APPROVED);
            assertThat(notices)
                    .as("the group is told")
                    .anyMatch(notice ->
                            notice.group().equals("bg") && notice.request().equals(Optional.of(id)));
            return;
        }
        assertThat(notices).isEmpty();
        for (Vote vote : end.votes()) {
            assertThat(actingFor.filter(h -> h.email().equalsIgnoreCase(vote.email())))
                    .as("the onBehalfOf person never votes")
                    .isEmpty();
            assertThat(requirements.stream()
                            .anyMatch(r -> vote.groups().stream().anyMatch(r.groups()::contains)))
                    .as("a non-member's vote never counts")
                    .isTrue();
        }
        if (end.status() == RequestStatus.APPROVED) {
            for (ApprovalRequirement requirement : requirements) {
                Set<String> approvers = end.votes().stream()
                        .filter(v -> v.choice() == Vote.Choice.APPROVE)
                        .filter(v -> v.groups().stream().anyMatch(requirement.groups()::contains))
                        .map(v -> v.email().toLowerCase(java.util.Locale.ROOT))
                        .collect(Collectors.toSet());
                assertThat(approvers.size())
                        .as("quorum of distinct persons for " + requirement)
                        .isGreaterThanOrEqualTo(requirement.quorum());
            }
        }
    }

    /** People where some pairs are one person under two names (same email, different case). */
    @Provide
    Arbitrary<List<Human>> linkedPeople() {
        List<String> groups = List.of("a", "b", "c", "bg");
        return Combinators.combine(
                        Arbitraries.of(groups).set().ofMaxSize(3),
                        Arbitraries.integers().between(0, 3))
                .as((groupSet, person) -> new Object[] {groupSet, person})
                .list()
                .ofMinSize(1)
                .ofMaxSize(6)
                .map(specs -> {
                    java.util.ArrayList<Human> humans = new java.util.ArrayList<>();
                    for (int i = 0; i < specs.size(); i++) {
                        @SuppressWarnings("unchecked")
                        Set<String> groupSet = (Set<String>) specs.get(i)[0];
                        int person = (Integer) specs.get(i)[1];
                        String email = (i % 2 == 0 ? "p" : "P") + person + "@example.com";
                        humans.add(new Human("id" + i, email, groupSet));
                    }
                    return humans;
                });
    }

    @Provide
    Arbitrary<List<Attempt>> attempts() {
        return Combinators.combine(Arbitraries.integers().between(0, 20), Arbitraries.of(0, 0, 0, 1, 2))
                .as(Attempt::new)
                .list()
                .ofMaxSize(12);
    }
}
