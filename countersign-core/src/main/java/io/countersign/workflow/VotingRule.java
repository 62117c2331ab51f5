package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.identity.OnBehalfOf;
import io.countersign.identity.PersonId;
import io.countersign.policy.ApprovalRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one rule for who may vote on a request. Every channel (API, console, Slack, Teams) asks
 * this function, so separation of duties can't differ between them. Agents can't vote at all:
 * only a {@link Human} can be passed here.
 *
 * <p>A person is one vote: two identities with the same {@link PersonId} (a local token and an
 * OIDC sign-in, say, or {@code ｂob@example.com} and {@code bob@example.com}) are the same person.
 * The human a request acts for is refused under any spelling that looks the same, and so is
 * anyone who is the person it resolved to at submission ({@link OnBehalfOf#names}).
 * Break-glass, when a group for it is configured, lets a member
 * of that group approve alone, even a request made on their own behalf, with a reason; nothing
 * else sets separation of duties aside. A step-up rule counts approvals only from a sign-in
 * fresher than the configured age. A requirement's groups are those its rule names, widened by
 * its escalation's groups once the request has escalated ({@link ApprovalRequest#groupsFor}).
 */
public final class VotingRule {
    /** How a vote is refused: not allowed at all, or allowed after a fresh sign-in. */
    public record Refusal(String reason, boolean stepUpRequired) {
        public Refusal {
            requireNonNull(reason, "reason is null");
        }

        static Refusal notAllowed(String reason) {
            return new Refusal(reason, false);
        }
    }

    private final Optional<String> breakGlassGroup;
    private final Duration stepUpMaxAge;

    /** No break-glass; step-up sign-ins must be at most 10 minutes old. */
    public VotingRule() {
        this(Optional.empty(), Duration.ofMinutes(10));
    }

    public VotingRule(Optional<String> breakGlassGroup, Duration stepUpMaxAge) {
        this.breakGlassGroup = requireNonNull(breakGlassGroup, "breakGlassGroup is null");
        this.stepUpMaxAge = requireNonNull(stepUpMaxAge, "stepUpMaxAge is null");
        if (stepUpMaxAge.isNegative() || stepUpMaxAge.isZero()) {
            throw new IllegalArgumentException("step-up max age is " + stepUpMaxAge + ", want a positive duration");
        }
    }

    public Optional<String> breakGlassGroup() {
        return breakGlassGroup;
    }

    /** Why this human may not vote on this request, or empty when they may. Statuses are checked separately. */
    public Optional<String> refusal(Human human, ApprovalRequest request) {
        Optional<OnBehalfOf> actingFor = request.onBehalfOf();
        if (actingFor.filter(onBehalfOf -> onBehalfOf.names(human.person())).isPresent()) {
            return Optional.of(human.name() + " is the human this request acts on behalf of ('"
                    + actingFor.get().sent() + "'"
                    + actingFor
                            .get()
                            .resolvedTo()
                            .map(person -> ", resolved to " + person)
                            .orElse("") + ") and can't approve it");
        }
        Optional<String> forAddress = request.action().onBehalfOf().filter(onBehalfOf -> onBehalfOf.contains("@"));
        if (forAddress.isPresent() && human.email().isBlank()) {
            // An unverified email counts as absent; without one, nothing shows this is not the person the request is
            // for.
            return Optional.of(human.name() + " has no verified email, so nothing shows they are not "
                    + forAddress.get() + ", whom this request acts for; verify the email at the identity provider");
        }
        if (hasVoted(human, request)) {
            return Optional.of(human.name() + " has already voted on this request");
        }
        boolean member =
                request.decision().approvals().stream().map(request::groupsFor).anyMatch(human::isMemberOfAny);
        if (!member) {
            return Optional.of(
                    human.name() + " is not in any group that decides this request (" + requiredGroups(request) + ")");
        }
        return Optional.empty();
    }

    /**
     * The whole rule: {@link #refusal(Human, ApprovalRequest)}, or the break-glass rule for a
     * break-glass vote, then, for an approval, step-up freshness.
     */
    public Optional<Refusal> refusal(Voter voter, Vote.Choice choice, ApprovalRequest request, Instant now) {
        requireNonNull(voter, "voter is null");
        requireNonNull(choice, "choice is null");
        Human human = voter.human();
        if (voter.breaksGlass()) {
            return breakGlassRefusal(voter, choice, request).map(Refusal::notAllowed);
        }
        Optional<String> plain = refusal(human, request);
        if (plain.isPresent()) {
            return plain.map(Refusal::notAllowed);
        }
        if (choice == Vote.Choice.APPROVE) {
            Optional<ApprovalRequirement> stepUp = request.decision().approvals().stream()
                    .filter(ApprovalRequirement::stepUp)
                    .filter(requirement -> human.isMemberOfAny(request.groupsFor(requirement)))
                    .findFirst();
            if (stepUp.isPresent() && !freshSignIn(voter, now)) {
                return Optional.of(new Refusal(
                        "rule '" + stepUp.get().rule() + "' needs a sign-in within the last " + minutes(stepUpMaxAge)
                                + "; "
                                + voter.signedInAt()
                                        .map(at -> human.name() + " signed in at " + at)
                                        .orElse(human.name() + "'s credential carries no sign-in time")
                                + ": sign in again and vote with the new token",
                        true));
            }
        }
        return Optional.empty();
    }

    private Optional<String> breakGlassRefusal(Voter voter, Vote.Choice choice, ApprovalRequest request) {
        Human human = voter.human();
        if (choice != Vote.Choice.APPROVE) {
            return Optional.of("break-glass is for approving; a denial needs no emergency");
        }
        if (breakGlassGroup.isEmpty()) {
            return Optional.of("break-glass is not enabled on this gateway (identity.breakGlass.group)");
        }
        if (!human.groups().contains(breakGlassGroup.get())) {
            return Optional.of(human.name() + " is not in the break-glass group " + breakGlassGroup.get());
        }
        if (voter.breakGlassReason().orElseThrow().isBlank()) {
            return Optional.of("break-glass needs a reason");
        }
        if (hasVoted(human, request)) {
            return Optional.of(human.name() + " has already voted on this request");
        }
        return Optional.empty();
    }

    private boolean freshSignIn(Voter voter, Instant now) {
        // A sign-in "from the future" beyond a minute of skew is as suspect as a stale one.
        return voter.signedInAt()
                .filter(at -> !at.isBefore(now.minus(stepUpMaxAge)) && !at.isAfter(now.plusSeconds(60)))
                .isPresent();
    }

    public boolean mayVote(Human human, ApprovalRequest request) {
        return request.isPending() && refusal(human, request).isEmpty();
    }

    /** Whether the approvals so far meet every requirement: per requirement, {@code quorum} distinct approving members. */
    public boolean quorumMet(ApprovalRequest request) {
        return request.decision().approvals().stream()
                .allMatch(requirement -> approvalsCountingFor(requirement, request) >= requirement.quorum());
    }

    static long approvalsCountingFor(ApprovalRequirement requirement, ApprovalRequest request) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                .filter(vote -> vote.groups().stream().anyMatch(request.groupsFor(requirement)::contains))
                .map(vote -> vote.person().id())
                .distinct()
                .count();
    }

    private static boolean hasVoted(Human human, ApprovalRequest request) {
        PersonId person = human.person().id();
        return request.votes().stream()
                .anyMatch(vote ->
                        vote.voter().equals(human.name()) || vote.person().id().equals(person));
    }

    private static String minutes(Duration duration) {
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    private static String requiredGroups(ApprovalRequest request) {
        return String.join(
                ", ",
                request.decision().approvals().stream()
                        .flatMap(requirement -> request.groupsFor(requirement).stream())
                        .sorted()
                        .distinct()
                        .toList());
    }
}
