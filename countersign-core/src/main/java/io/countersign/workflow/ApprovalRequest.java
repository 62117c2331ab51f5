package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.action.ActionDigest;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.identity.OnBehalfOf;
import io.countersign.identity.Person;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Escalation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The durable record of one action and its life. Immutable: every transition returns a new
 * value, which the workflow stores in the same transaction as the audit events that explain it.
 *
 * @param expiresAt when a pending request expires; empty once it is no longer pending
 * @param decidedAt when the request left {@code pending} (or was decided by the policy outright)
 * @param decidedBy who decided: {@code policy}, {@code human:NAME}, {@code agent:NAME} (cancel) or {@code system} (expiry, suspension)
 * @param delegation whether {@code onBehalfOf} was merely claimed or verified (none without one)
 * @param resolution why the request was resolved, when no vote or policy says it ({@code agent suspended})
 * @param breakGlass set when it was approved by break-glass, with its follow-up review
 * @param resolvedOnBehalfOf the known person {@code onBehalfOf} resolved to at submission, when one matched
 * @param escalated the rules whose {@code escalate} has fired for this request: their escalation groups may vote
 */
public record ApprovalRequest(
        RequestId id,
        Agent agent,
        Action action,
        ActionDigest digest,
        Decision decision,
        RequestStatus status,
        List<Vote> votes,
        Instant createdAt,
        Optional<Instant> expiresAt,
        Optional<Instant> decidedAt,
        Optional<String> decidedBy,
        Optional<String> idempotencyKey,
        Optional<GrantRecord> grant,
        Optional<Execution> execution,
        Delegation delegation,
        Optional<String> resolution,
        Optional<BreakGlass> breakGlass,
        Optional<Person> resolvedOnBehalfOf,
        Set<String> escalated) {

    public ApprovalRequest {
        requireNonNull(id, "id is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        requireNonNull(digest, "digest is null");
        requireNonNull(decision, "decision is null");
        requireNonNull(status, "status is null");
        votes = List.copyOf(requireNonNull(votes, "votes is null"));
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(decidedAt, "decidedAt is null");
        requireNonNull(decidedBy, "decidedBy is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        requireNonNull(grant, "grant is null");
        requireNonNull(execution, "execution is null");
        requireNonNull(delegation, "delegation is null");
        requireNonNull(resolution, "resolution is null");
        requireNonNull(breakGlass, "breakGlass is null");
        requireNonNull(resolvedOnBehalfOf, "resolvedOnBehalfOf is null");
        escalated = Set.copyOf(requireNonNull(escalated, "escalated is null"));
        if (resolvedOnBehalfOf.isPresent() && action.onBehalfOf().isEmpty()) {
            throw new IllegalArgumentException(
                    "request " + id + " resolved onBehalfOf to " + resolvedOnBehalfOf.get() + " but has none");
        }
        if ((delegation == Delegation.NONE) != action.onBehalfOf().isEmpty()) {
            throw new IllegalArgumentException(
                    "request " + id + ": delegation is " + delegation.wireName() + " but onBehalfOf is "
                            + action.onBehalfOf().map(h -> "'" + h + "'").orElse("absent"));
        }
        if (status == RequestStatus.PENDING && expiresAt.isEmpty()) {
            throw new IllegalArgumentException("request " + id + " is pending without an expiry");
        }
    }

    /** A request not escalated. */
    public ApprovalRequest(
            RequestId id,
            Agent agent,
            Action action,
            ActionDigest digest,
            Decision decision,
            RequestStatus status,
            List<Vote> votes,
            Instant createdAt,
            Optional<Instant> expiresAt,
            Optional<Instant> decidedAt,
            Optional<String> decidedBy,
            Optional<String> idempotencyKey,
            Optional<GrantRecord> grant,
            Optional<Execution> execution,
            Delegation delegation,
            Optional<String> resolution,
            Optional<BreakGlass> breakGlass,
            Optional<Person> resolvedOnBehalfOf) {
        this(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant,
                execution,
                delegation,
                resolution,
                breakGlass,
                resolvedOnBehalfOf,
                Set.of());
    }

    /** A request whose onBehalfOf, if any, resolved to no known person. */
    public ApprovalRequest(
            RequestId id,
            Agent agent,
            Action action,
            ActionDigest digest,
            Decision decision,
            RequestStatus status,
            List<Vote> votes,
            Instant createdAt,
            Optional<Instant> expiresAt,
            Optional<Instant> decidedAt,
            Optional<String> decidedBy,
            Optional<String> idempotencyKey,
            Optional<GrantRecord> grant,
            Optional<Execution> execution,
            Delegation delegation,
            Optional<String> resolution,
            Optional<BreakGlass> breakGlass) {
        this(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant,
                execution,
                delegation,
                resolution,
                breakGlass,
                Optional.empty());
    }

    /** A request without delegation proof, resolution note or break-glass: onBehalfOf, if any, is claimed. */
    public ApprovalRequest(
            RequestId id,
            Agent agent,
            Action action,
            ActionDigest digest,
            Decision decision,
            RequestStatus status,
            List<Vote> votes,
            Instant createdAt,
            Optional<Instant> expiresAt,
            Optional<Instant> decidedAt,
            Optional<String> decidedBy,
            Optional<String> idempotencyKey,
            Optional<GrantRecord> grant,
            Optional<Execution> execution) {
        this(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant,
                execution,
                Delegation.claimedOrNone(action.onBehalfOf().isPresent()),
                Optional.empty(),
                Optional.empty());
    }

    /** Whom the request acts for, as sent and as resolved; empty when it acts for nobody. */
    public Optional<OnBehalfOf> onBehalfOf() {
        return action.onBehalfOf().map(sent -> new OnBehalfOf(sent, resolvedOnBehalfOf));
    }

    public boolean isPending() {
        return status == RequestStatus.PENDING;
    }

    /**
     * Who may approve under the requirement now: its groups, and once its rule has escalated this
     * request, its escalation's groups too.
     */
    public Set<String> groupsFor(ApprovalRequirement requirement) {
        if (!escalated.contains(requirement.rule()) || requirement.escalation().isEmpty()) {
            return requirement.groups();
        }
        Set<String> all = new HashSet<>(requirement.groups());
        all.addAll(requirement.escalation().get().groups());
        return Set.copyOf(all);
    }

    /** The escalations due at {@code now} and not yet fired, by requirement; none once it is not pending. */
    public List<ApprovalRequirement> escalationsDue(Instant now) {
        if (!isPending()) {
            return List.of();
        }
        return decision.approvals().stream()
                .filter(requirement -> !escalated.contains(requirement.rule()))
                .filter(requirement -> requirement
                        .escalation()
                        .map(Escalation::after)
                        .filter(after -> !createdAt.plus(after).isAfter(now))
                        .isPresent())
                .toList();
    }

    ApprovalRequest withEscalated(String rule) {
        Set<String> all = new HashSet<>(escalated);
        all.add(rule);
        return new ApprovalRequest(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant,
                execution,
                delegation,
                resolution,
                breakGlass,
                resolvedOnBehalfOf,
                all);
    }

    ApprovalRequest withVote(Vote vote) {
        List<Vote> all = new ArrayList<>(votes);
        all.add(vote);
        return new ApprovalRequest(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                all,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant,
                execution,
                delegation,
                resolution,
                breakGlass,
                resolvedOnBehalfOf,
                escalated);
    }

    ApprovalRequest withBreakGlass(BreakGlass newBreakGlass) {
        return new ApprovalRequest(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant,
                execution,
                delegation,
                resolution,
                Optional.of(newBreakGlass),
                resolvedOnBehalfOf,
                escalated);
    }

    ApprovalRequest decided(RequestStatus newStatus, Instant at, String by, Optional<GrantRecord> newGrant) {
        return decided(newStatus, at, by, newGrant, Optional.empty());
    }

    ApprovalRequest decided(
            RequestStatus newStatus, Instant at, String by, Optional<GrantRecord> newGrant, Optional<String> why) {
        if (!isPending()) {
            throw new IllegalStateException(
                    "request " + id + " is " + status.wireName() + ", it can't become " + newStatus.wireName());
        }
        return new ApprovalRequest(
                id,
                agent,
                action,
                digest,
                decision,
                newStatus,
                votes,
                createdAt,
                Optional.empty(),
                Optional.of(at),
                Optional.of(by),
                idempotencyKey,
                newGrant,
                execution,
                delegation,
                why,
                breakGlass,
                resolvedOnBehalfOf,
                escalated);
    }

    /** The grant consumed ahead of the execution it allows; the request stays approved until that is reported. */
    ApprovalRequest grantClaimed(Instant at) {
        if (status != RequestStatus.APPROVED || grant.isEmpty()) {
            throw new IllegalStateException(
                    "request " + id + " is " + status.wireName() + ", it has no grant to claim");
        }
        return new ApprovalRequest(
                id,
                agent,
                action,
                digest,
                decision,
                status,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                grant.map(g -> g.used(at)),
                execution,
                delegation,
                resolution,
                breakGlass,
                resolvedOnBehalfOf);
    }

    ApprovalRequest executed(Execution report) {
        if (status != RequestStatus.APPROVED || grant.isEmpty()) {
            throw new IllegalStateException(
                    "request " + id + " is " + status.wireName() + ", it can't record an execution");
        }
        RequestStatus after =
                report.outcome() == Execution.Outcome.SUCCEEDED ? RequestStatus.EXECUTED : RequestStatus.FAILED;
        return new ApprovalRequest(
                id,
                agent,
                action,
                digest,
                decision,
                after,
                votes,
                createdAt,
                expiresAt,
                decidedAt,
                decidedBy,
                idempotencyKey,
                // A grant claimed before the execution (Workflow.claimGrant) keeps the time it was claimed.
                grant.map(g -> g.usedAt().isPresent() ? g : g.used(report.time())),
                Optional.of(report),
                delegation,
                resolution,
                breakGlass,
                resolvedOnBehalfOf,
                escalated);
    }
}
