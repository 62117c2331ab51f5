package io.countersign.workflow;

import static io.countersign.workflow.RequestGuards.requirePendingAt;
import static java.util.Objects.requireNonNull;

import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Human;
import io.countersign.outbox.NotificationType;
import io.countersign.policy.PolicyEngine;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The vote machinery: a human's approve or deny on a pending request, checked by the one voting
 * rule and recorded in one transaction; a denial denies, a break-glass approval approves at once,
 * and otherwise the request is approved, with its grant, once every quorum is met. It also says
 * who may vote on what, for the inbox and the channels.
 */
final class Voting {
    private final PolicyEngine policy;
    private final Store store;
    private final MillisClock clock;
    private final VotingRule votingRule;
    private final AgentSuspensions suspensions;
    private final BreakerTrips breakers;
    private final Grants grants;
    private final ChangeNotices notices;
    private final SafeListener listener;
    private final RefusedVotes refusedVotes;

    Voting(
            PolicyEngine policy,
            Store store,
            MillisClock clock,
            VotingRule votingRule,
            AgentSuspensions suspensions,
            BreakerTrips breakers,
            Grants grants,
            ChangeNotices notices,
            SafeListener listener) {
        this.policy = requireNonNull(policy, "policy is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.votingRule = requireNonNull(votingRule, "votingRule is null");
        this.suspensions = requireNonNull(suspensions, "suspensions is null");
        this.breakers = requireNonNull(breakers, "breakers is null");
        this.grants = requireNonNull(grants, "grants is null");
        this.notices = requireNonNull(notices, "notices is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.refusedVotes = new RefusedVotes(store, clock);
    }

    /** See {@link Workflow#approve(Voter, RequestId, Optional, String)}. */
    ApprovalRequest approve(Voter voter, RequestId id, Optional<String> comment, String channel) {
        return refusedVotes.recording(
                voter, Vote.Choice.APPROVE, channel, () -> vote(voter, id, Vote.Choice.APPROVE, comment, channel));
    }

    /** See {@link Workflow#deny(Voter, RequestId, String, String)}. */
    ApprovalRequest deny(Voter voter, RequestId id, String comment, String channel) {
        if (comment == null || comment.isBlank()) {
            throw new WorkflowException.Unprocessable("a denial needs a comment saying why");
        }
        return refusedVotes.recording(
                voter,
                Vote.Choice.DENY,
                channel,
                () -> vote(voter, id, Vote.Choice.DENY, Optional.of(comment), channel));
    }

    /** See {@link Workflow#inbox}. */
    List<ApprovalRequest> inbox(Human human) {
        return store.findPending().stream()
                .filter(request -> votingRule.mayVote(human, request))
                .toList();
    }

    /** See {@link Workflow#whyNotAllowedToVote(Human, ApprovalRequest)}. */
    Optional<String> whyNotAllowedToVote(Human human, ApprovalRequest request) {
        if (!request.isPending()) {
            return Optional.of(
                    "request " + request.id() + " is " + request.status().wireName());
        }
        return votingRule.refusal(human, request);
    }

    /** See {@link Workflow#recordRefusedVote}. */
    void recordRefusedVote(
            Voter voter, Vote.Choice choice, ApprovalRequest request, String channel, VotingRule.Refusal refusal) {
        refusedVotes.record(voter, choice, channel, request, refusal);
    }

    /** See {@link Workflow#whyNotAllowedToVote(Voter, Vote.Choice, ApprovalRequest)}. */
    Optional<VotingRule.Refusal> whyNotAllowedToVote(Voter voter, Vote.Choice choice, ApprovalRequest request) {
        if (!request.isPending()) {
            return Optional.of(new VotingRule.Refusal(
                    "request " + request.id() + " is " + request.status().wireName(), false));
        }
        return votingRule.refusal(voter, choice, request, clock.now());
    }

    private ApprovalRequest vote(
            Voter voter, RequestId id, Vote.Choice choice, Optional<String> comment, String channel) {
        requireNonNull(voter, "voter is null");
        requireNonNull(channel, "channel is null");
        Human human = voter.human();
        Instant now = clock.now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            RefusedVotes.refusedWhenNotPending(request, () -> requirePendingAt(request, now));
            votingRule.refusal(voter, choice, request, now).ifPresent(refusal -> {
                throw RefusedVotes.refusal(request, refusal); // recorded as vote.refused, step-up aside
            });
            if (choice == Vote.Choice.APPROVE) {
                suspensions.suspensionOf(request.agent().name()).ifPresent(suspension -> {
                    throw new WorkflowException.Forbidden(
                            "agent " + request.agent().name() + " is suspended; its requests can't be approved");
                });
            }
            Vote vote = new Vote(
                    human.name(),
                    human.email(),
                    human.groups(),
                    choice,
                    comment.filter(c -> !c.isBlank()),
                    now,
                    channel);
            ApprovalRequest voted = request.withVote(vote);
            tx.append(RequestEvents.vote(voted, vote, voter));
            ApprovalRequest result = voted;
            if (choice == Vote.Choice.DENY) {
                result = voted.decided(RequestStatus.DENIED, now, human.auditName(), Optional.empty());
                // A burst of human denials trips the breakers that count them (on: human_denied | any_denied).
                breakers.record(
                        tx, breakers.humanDenied(tx, request.agent().name(), policy.breakers(), now), result, now);
            } else if (voter.breaksGlass()) {
                result = voted.withBreakGlass(BreakGlass.used(
                                human.name(), voter.breakGlassReason().orElseThrow(), now))
                        .decided(RequestStatus.APPROVED, now, human.auditName(), Optional.of(grants.issue(now)));
                tx.append(RequestEvents.breakGlassUsed(result));
            } else if (votingRule.quorumMet(voted)) {
                result = voted.decided(RequestStatus.APPROVED, now, human.auditName(), Optional.of(grants.issue(now)));
            }
            tx.update(result);
            if (!result.isPending()) {
                tx.append(RequestEvents.resolved(result));
            }
            if (result.grant().isPresent()) {
                tx.append(RequestEvents.grantIssued(result));
            }
            notices.enqueue(
                    tx,
                    result.isPending() ? NotificationType.REQUEST_VOTED : NotificationType.REQUEST_DECIDED,
                    result,
                    now);
            if (voter.breaksGlass()) {
                notices.notice(tx, breakGlassNotice(result, voter), now);
            }
            return result;
        });
        listener.changed(after);
        if (voter.breaksGlass()) {
            notices.tell(breakGlassNotice(after, voter));
        }
        return after;
    }

    private Notifier.Notice breakGlassNotice(ApprovalRequest request, Voter voter) {
        return new Notifier.Notice(
                votingRule.breakGlassGroup().orElseThrow(),
                "Break-glass approval of " + request.id(),
                voter.human().name() + " approved " + request.action().action() + " on "
                        + request.action().resource() + " for agent "
                        + request.agent().name() + " by break-glass: "
                        + voter.breakGlassReason().orElseThrow()
                        + ". Another human must acknowledge the review.",
                Optional.of(request.id()));
    }
}
