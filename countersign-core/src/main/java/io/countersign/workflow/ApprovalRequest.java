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
        return change().escalated(all).build();
    }

    ApprovalRequest withVote(Vote vote) {
        List<Vote> all = new ArrayList<>(votes);
        all.add(vote);
        return change().votes(all).build();
    }

    ApprovalRequest withBreakGlass(BreakGlass newBreakGlass) {
        return change().breakGlass(Optional.of(newBreakGlass)).build();
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
        return change().status(newStatus)
                .expiresAt(Optional.empty())
                .decidedAt(Optional.of(at))
                .decidedBy(Optional.of(by))
                .grant(newGrant)
                .resolution(why)
                .build();
    }

    /** The grant consumed ahead of the execution it allows; the request stays approved until that is reported. */
    ApprovalRequest grantClaimed(Instant at) {
        if (status != RequestStatus.APPROVED || grant.isEmpty()) {
            throw new IllegalStateException(
                    "request " + id + " is " + status.wireName() + ", it has no grant to claim");
        }
        return change().grant(grant.map(g -> g.used(at))).build();
    }

    ApprovalRequest executed(Execution report) {
        if (status != RequestStatus.APPROVED || grant.isEmpty()) {
            throw new IllegalStateException(
                    "request " + id + " is " + status.wireName() + ", it can't record an execution");
        }
        RequestStatus after =
                report.outcome() == Execution.Outcome.SUCCEEDED ? RequestStatus.EXECUTED : RequestStatus.FAILED;
        return change().status(after)
                // A grant claimed before the execution (Workflow.claimGrant) keeps the time it was claimed.
                .grant(grant.map(g -> g.usedAt().isPresent() ? g : g.used(report.time())))
                .execution(Optional.of(report))
                .build();
    }

    /**
     * A copy to change: every transition goes through it, so a field a transition doesn't name is
     * kept as it is (a wither that spelled out the constructor once dropped {@code escalated}).
     */
    private Transition change() {
        return new Transition(this);
    }

    /** The fields that change over a request's life; what it is (id, agent, action, ...) never does. */
    private static final class Transition {
        private final ApprovalRequest from;
        private RequestStatus status;
        private List<Vote> votes;
        private Optional<Instant> expiresAt;
        private Optional<Instant> decidedAt;
        private Optional<String> decidedBy;
        private Optional<GrantRecord> grant;
        private Optional<Execution> execution;
        private Optional<String> resolution;
        private Optional<BreakGlass> breakGlass;
        private Set<String> escalated;

        private Transition(ApprovalRequest from) {
            this.from = from;
            this.status = from.status;
            this.votes = from.votes;
            this.expiresAt = from.expiresAt;
            this.decidedAt = from.decidedAt;
            this.decidedBy = from.decidedBy;
            this.grant = from.grant;
            this.execution = from.execution;
            this.resolution = from.resolution;
            this.breakGlass = from.breakGlass;
            this.escalated = from.escalated;
        }

        Transition status(RequestStatus value) {
            this.status = value;
            return this;
        }

        Transition votes(List<Vote> value) {
            this.votes = value;
            return this;
        }

        Transition expiresAt(Optional<Instant> value) {
            this.expiresAt = value;
            return this;
        }

        Transition decidedAt(Optional<Instant> value) {
            this.decidedAt = value;
            return this;
        }

        Transition decidedBy(Optional<String> value) {
            this.decidedBy = value;
            return this;
        }

        Transition grant(Optional<GrantRecord> value) {
            this.grant = value;
            return this;
        }

        Transition execution(Optional<Execution> value) {
            this.execution = value;
            return this;
        }

        Transition resolution(Optional<String> value) {
            this.resolution = value;
            return this;
        }

        Transition breakGlass(Optional<BreakGlass> value) {
            this.breakGlass = value;
            return this;
        }

        Transition escalated(Set<String> value) {
            this.escalated = value;
            return this;
        }

        ApprovalRequest build() {
            return new ApprovalRequest(
                    from.id,
                    from.agent,
                    from.action,
                    from.digest,
                    from.decision,
                    status,
                    votes,
                    from.createdAt,
                    expiresAt,
                    decidedAt,
                    decidedBy,
                    from.idempotencyKey,
                    grant,
                    execution,
                    from.delegation,
                    resolution,
                    breakGlass,
                    from.resolvedOnBehalfOf,
                    escalated);
        }
    }
}
