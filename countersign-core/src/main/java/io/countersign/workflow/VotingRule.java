package io.countersign.workflow;

import io.countersign.identity.Human;
import io.countersign.policy.ApprovalRequirement;
import java.util.Optional;

/**
 * The one rule for who may vote on a request. Every channel (API, console, Slack, Teams) asks
 * this function, so separation of duties can't differ between them. Agents can't vote at all:
 * only a {@link Human} can be passed here.
 */
public final class VotingRule {

    /** Why this human may not vote on this request, or empty when they may. Statuses are checked separately. */
    public Optional<String> refusal(Human human, ApprovalRequest request) {
        if (request.action().onBehalfOf().filter(human::isNamedBy).isPresent()) {
            return Optional.of(human.name() + " is the human this request acts on behalf of and can't approve it");
        }
        if (request.votes().stream().anyMatch(vote -> vote.voter().equals(human.name()))) {
            return Optional.of(human.name() + " has already voted on this request");
        }
        boolean member = request.decision().approvals().stream()
                .map(ApprovalRequirement::groups)
                .anyMatch(human::isMemberOfAny);
        if (!member) {
            return Optional.of(human.name() + " is not in any group that decides this request (" + requiredGroups(request) + ")");
        }
        return Optional.empty();
    }

    public boolean mayVote(Human human, ApprovalRequest request) {
        return request.isPending() && refusal(human, request).isEmpty();
    }

    /** Whether the approvals so far meet every requirement: per requirement, {@code quorum} distinct approving members. */
    public boolean quorumMet(ApprovalRequest request) {
        return request.decision().approvals().stream().allMatch(requirement -> approvalsCountingFor(requirement, request) >= requirement.quorum());
    }

    static long approvalsCountingFor(ApprovalRequirement requirement, ApprovalRequest request) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                .filter(vote -> vote.groups().stream().anyMatch(requirement.groups()::contains))
                .map(Vote::voter)
                .distinct()
                .count();
    }

    private static String requiredGroups(ApprovalRequest request) {
        return String.join(", ", request.decision().approvals().stream()
                .flatMap(requirement -> requirement.groups().stream()).sorted().distinct().toList());
    }
}
