package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.action.ActionDigest;
import io.countersign.breaker.CircuitBreakers;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Delegation;
import io.countersign.identity.Human;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.OnBehalfOf;
import io.countersign.identity.Person;
import io.countersign.identity.PersonName;
import io.countersign.identity.Scopes;
import io.countersign.identity.Suspension;
import io.countersign.outbox.NotificationType;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval workflow: every path that changes a request goes through here, in one store
 * transaction that also appends the audit events explaining the change. A grant is handed out
 * only after the transaction that records the decision is durable (invariant 1).
 */
public final class Workflow {
    private static final Logger LOG = LoggerFactory.getLogger(Workflow.class);

    private final PolicyEngine policy;
    private final Store store;
    private final Clock clock;
    private final GrantTokens grantTokens;
    private final VotingRule votingRule;
    private final RequestListener listener;
    private final WorkflowSettings settings;
    private final AgentSuspensions suspensions;
    private final ChangeNotices notices;
    private final KnownHumans knownHumans;
    private final CircuitBreakers breakers = new CircuitBreakers();

    /** Without suspensions or notifications. */
    public Workflow(
            PolicyEngine policy,
            Store store,
            Clock clock,
            GrantTokens grantTokens,
            VotingRule votingRule,
            RequestListener listener,
            WorkflowSettings settings) {
        this(policy, store, clock, grantTokens, votingRule, listener, settings, AgentSuspensions.NONE, Notifier.NONE);
    }

    public Workflow(
            PolicyEngine policy,
            Store store,
            Clock clock,
            GrantTokens grantTokens,
            VotingRule votingRule,
            RequestListener listener,
            WorkflowSettings settings,
            AgentSuspensions suspensions,
            Notifier notifier) {
        this(
                policy,
                store,
                clock,
                grantTokens,
                votingRule,
                listener,
                settings,
                suspensions,
                notifier,
                Subscriptions.NONE);
    }

    /** With {@code subscriptions} naming the channels each change is written to the outbox for. */
    public Workflow(
            PolicyEngine policy,
            Store store,
            Clock clock,
            GrantTokens grantTokens,
            VotingRule votingRule,
            RequestListener listener,
            WorkflowSettings settings,
            AgentSuspensions suspensions,
            Notifier notifier,
            Subscriptions subscriptions) {
        this(
                policy,
                store,
                clock,
                grantTokens,
                votingRule,
                listener,
                settings,
                suspensions,
                notifier,
                subscriptions,
                KnownHumans.NONE);
    }

    /** With {@code knownHumans}, whom an action's onBehalfOf is resolved to at submission. */
    public Workflow(
            PolicyEngine policy,
            Store store,
            Clock clock,
            GrantTokens grantTokens,
            VotingRule votingRule,
            RequestListener listener,
            WorkflowSettings settings,
            AgentSuspensions suspensions,
            Notifier notifier,
            Subscriptions subscriptions,
            KnownHumans knownHumans) {
        this.knownHumans = requireNonNull(knownHumans, "knownHumans is null");
        this.notices = new ChangeNotices(subscriptions, notifier);
        this.suspensions = requireNonNull(suspensions, "suspensions is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.grantTokens = requireNonNull(grantTokens, "grantTokens is null");
        this.votingRule = requireNonNull(votingRule, "votingRule is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** What the policy would decide; nothing is recorded. */
    public Decision simulate(Agent agent, Action action) {
        return policy.decide(new DecisionInput(action, agent, now()));
    }

    /**
     * Records the action and the policy's decision. With an idempotency key already used by this
     * agent, returns the earlier request when the action is the same, and refuses otherwise.
     */
    public ApprovalRequest submit(Agent agent, Action action, Optional<String> idempotencyKey) {
        return submit(
                agent,
                action,
                idempotencyKey,
                Scopes.UNRESTRICTED,
                Delegation.claimedOrNone(action.onBehalfOf().isPresent()));
    }

    /**
     * {@link #submit(Agent, Action, Optional)} for a credential limited to {@code scopes}, with
     * {@code delegation} saying how the action's onBehalfOf is backed. A suspended agent's action,
     * and one outside the scopes, is denied before the policy is asked; the decision says why.
     */
    public ApprovalRequest submit(
            Agent agent, Action action, Optional<String> idempotencyKey, Scopes scopes, Delegation delegation) {
        return submit(agent, action, idempotencyKey, scopes, delegation, Optional.empty());
    }

    /**
     * {@link #submit(Agent, Action, Optional, Scopes, Delegation)} with the person a verified
     * delegation's token names, whom onBehalfOf then resolves to. Every path that creates a request
     * comes here, so here onBehalfOf is checked ({@link PersonName#parse}: a refused spelling is a
     * {@link WorkflowException.BadInput}) and resolved: to the verified person, else to the one
     * known human it names, else to nobody.
     */
    public ApprovalRequest submit(
            Agent agent,
            Action action,
            Optional<String> idempotencyKey,
            Scopes scopes,
            Delegation delegation,
            Optional<Person> verified) {
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        requireNonNull(scopes, "scopes is null");
        requireNonNull(delegation, "delegation is null");
        requireNonNull(verified, "verified is null");
        Optional<Person> resolved = resolveOnBehalfOf(action, delegation, verified);
        Instant now = now();
        Decision decision = admit(agent, action, scopes)
                .orElseGet(() -> policy.decide(new DecisionInput(action, agent, now, delegation)));
        ActionDigest digest = action.digest();
        List<Breaker> policyBreakers = policy.breakers();
        ApprovalRequest stored = store.transact(tx -> {
            if (idempotencyKey.isPresent()) {
                Optional<ApprovalRequest> earlier = tx.findByIdempotencyKey(agent.name(), idempotencyKey.get());
                if (earlier.isPresent()) {
                    return sameAction(earlier.get(), action, digest, idempotencyKey.get());
                }
            }
            CircuitBreakers.Verdict verdict =
                    breakers.apply(agent.name(), decision, policyBreakers, now, tx::trippedBreaker);
            return record(tx, agent, action, digest, verdict, idempotencyKey, now, delegation, resolved);
        });
        notifyChanged(stored);
        return stored;
    }

    /**
     * For an enforcing adapter that runs the action itself, at once, when it is allowed: an action
     * the policy allows outright (no breaker trips or tightens it, nobody on whose behalf) is
     * recorded as one durable audit entry, an {@link Allowance}, instead of a request with its
     * grant; the caller runs it and reports it with {@link #recordExecution(Allowance,
     * Execution.Outcome, Optional)}. Anything else is submitted as {@link #submit(Agent, Action,
     * Optional, Scopes, Delegation)} does, and comes back as its request. Either way the decision
     * is durable before this returns.
     */
    public Submission submitAllowingOutright(Agent agent, Action action, Scopes scopes) {
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        requireNonNull(scopes, "scopes is null");
        Instant now = now();
        Optional<Decision> refused = admit(agent, action, scopes);
        Decision decision =
                refused.orElseGet(() -> policy.decide(new DecisionInput(action, agent, now, Delegation.NONE)));
        if (action.onBehalfOf().isPresent() || decision.effect() != Effect.ALLOW) {
            // Someone's say may follow (a vote, the person acted for): the request and its life, as ever.
            return new Submission.Recorded(submit(agent, action, Optional.empty(), scopes, Delegation.NONE));
        }
        ActionDigest digest = action.digest();
        List<Breaker> policyBreakers = policy.breakers();
        Submission submitted = store.transact(tx -> {
            CircuitBreakers.Verdict verdict =
                    breakers.apply(agent.name(), decision, policyBreakers, now, tx::trippedBreaker);
            if (verdict.decision().effect() == Effect.ALLOW && verdict.trips().isEmpty()) {
                Allowance allowance = new Allowance(RequestId.random(), agent, action, digest, decision, now);
                tx.append(AllowanceEvents.allowed(allowance));
                return new Submission.Allowed(allowance);
            }
            // A breaker counted this one over its max: the trip is stored, logged and told with a request.
            return new Submission.Recorded(record(
                    tx, agent, action, digest, verdict, Optional.empty(), now, Delegation.NONE, Optional.empty()));
        });
        if (submitted instanceof Submission.Recorded recorded) {
            notifyChanged(recorded.request());
        }
        return submitted;
    }

    /** Records what became of an allowance's action, once; the entry follows the allowance's in the log. */
    public void recordExecution(Allowance allowance, Execution.Outcome outcome, Optional<String> detail) {
        requireNonNull(allowance, "allowance is null");
        Execution execution = new Execution(outcome, detail, now());
        store.transact(tx -> tx.append(AllowanceEvents.executed(allowance, execution)));
    }

    private ApprovalRequest record(
            Transaction tx,
            Agent agent,
            Action action,
            ActionDigest digest,
            CircuitBreakers.Verdict verdict,
            Optional<String> idempotencyKey,
            Instant now,
            Delegation delegation,
            Optional<Person> resolved) {
        ApprovalRequest request =
                newRequest(agent, action, digest, verdict.decision(), idempotencyKey, now, delegation, resolved);
        tx.insert(request);
        tx.append(RequestEvents.created(request));
        tx.append(RequestEvents.decided(request));
        if (!request.isPending()) {
            tx.append(RequestEvents.resolved(request));
        }
        if (request.grant().isPresent()) {
            tx.append(RequestEvents.grantIssued(request));
        }
        notices.enqueue(tx, NotificationType.REQUEST_CREATED, request, now);
        if (!request.isPending()) {
            notices.enqueue(tx, NotificationType.REQUEST_DECIDED, request, now);
        }
        recordTrips(tx, verdict.trips(), request, now);
        return request;
    }

    private Optional<Person> resolveOnBehalfOf(Action action, Delegation delegation, Optional<Person> verified) {
        if (action.onBehalfOf().isEmpty()) {
            if (verified.isPresent()) {
                throw new IllegalArgumentException(
                        "a verified person (" + verified.get() + ") for an action on behalf of nobody");
            }
            return Optional.empty();
        }
        String sent = action.onBehalfOf().get();
        try {
            PersonName.parse(sent);
        } catch (PersonName.Invalid e) {
            throw new WorkflowException.BadInput(
                    "onBehalfOf", java.util.Objects.requireNonNullElse(e.getMessage(), "is not a valid name or email"));
        }
        if (verified.isPresent()) {
            if (delegation != Delegation.VERIFIED
                    || !OnBehalfOf.unresolved(sent).names(verified.get())) {
                throw new IllegalArgumentException("onBehalfOf '" + sent + "' is " + delegation.wireName()
                        + ", not verified for " + verified.get());
            }
            return verified;
        }
        return knownHumans.resolve(sent);
    }

    /** Stores each breaker this action tripped, logs the trip, and tells who approves under the breaker (or the admins). */
    private void recordTrips(Transaction tx, List<CircuitBreakers.Trip> trips, ApprovalRequest request, Instant now) {
        for (CircuitBreakers.Trip trip : trips) {
            // False when the trip is already stored (another node's, committed since): that node logged and told.
            if (tx.tripBreaker(trip.state(request.id().value()))) {
                tx.append(trip.event(request.id().value()));
                for (String group : trip.breaker().groupsToTell()) {
                    notices.notice(
                            tx,
                            new Notifier.Notice(group, trip.subject(), trip.text(), Optional.of(request.id())),
                            now);
                }
            }
        }
    }

    /** The denial of an action the policy must not even see: the agent is suspended, or the action is outside its scopes. */
    private Optional<Decision> admit(Agent agent, Action action, Scopes scopes) {
        Optional<Suspension> suspension = suspensions.suspensionOf(agent.name());
        if (suspension.isPresent()) {
            return Optional.of(new Decision(
                    Effect.DENY,
                    List.of(),
                    "agent " + agent.name() + " is suspended (since "
                            + suspension.get().at() + " by " + suspension.get().by() + ": "
                            + suspension.get().reason() + ")",
                    policy.version(),
                    List.of()));
        }
        if (!scopes.permits(action.action())) {
            return Optional.of(new Decision(
                    Effect.DENY,
                    List.of(),
                    "action '" + action.action() + "' is outside the scopes of agent " + agent.name() + "'s credential "
                            + scopes,
                    policy.version(),
                    List.of()));
        }
        return Optional.empty();
    }

    private static ApprovalRequest sameAction(ApprovalRequest earlier, Action action, ActionDigest digest, String key) {
        if (!earlier.digest().matches(digest) || !earlier.action().reason().equals(action.reason())) {
            throw new WorkflowException.Conflict(
                    "idempotency key '" + key + "' was used for a different action (request " + earlier.id() + ")");
        }
        return earlier;
    }

    private ApprovalRequest newRequest(
            Agent agent,
            Action action,
            ActionDigest digest,
            Decision decision,
            Optional<String> key,
            Instant now,
            Delegation delegation,
            Optional<Person> resolved) {
        RequestId id = RequestId.random();
        return switch (decision.effect()) {
            case ALLOW ->
                new ApprovalRequest(
                        id,
                        agent,
                        action,
                        digest,
                        decision,
                        RequestStatus.APPROVED,
                        List.of(),
                        now,
                        Optional.empty(),
                        Optional.of(now),
                        Optional.of("policy"),
                        key,
                        Optional.of(newGrant(now)),
                        Optional.empty(),
                        delegation,
                        Optional.empty(),
                        Optional.empty(),
                        resolved);
            case DENY ->
                new ApprovalRequest(
                        id,
                        agent,
                        action,
                        digest,
                        decision,
                        RequestStatus.DENIED,
                        List.of(),
                        now,
                        Optional.empty(),
                        Optional.of(now),
                        Optional.of("policy"),
                        key,
                        Optional.empty(),
                        Optional.empty(),
                        delegation,
                        Optional.empty(),
                        Optional.empty(),
                        resolved);
            case REQUIRE_APPROVAL ->
                new ApprovalRequest(
                        id,
                        agent,
                        action,
                        digest,
                        decision,
                        RequestStatus.PENDING,
                        List.of(),
                        now,
                        Optional.of(now.plus(decision.approvalTimeout())),
                        Optional.empty(),
                        Optional.empty(),
                        key,
                        Optional.empty(),
                        Optional.empty(),
                        delegation,
                        Optional.empty(),
                        Optional.empty(),
                        resolved);
        };
    }

    /** A human's approval; approves the request once every approval requirement has its quorum. */
    public ApprovalRequest approve(Human human, RequestId id, Optional<String> comment, String channel) {
        return vote(Voter.of(human), id, Vote.Choice.APPROVE, comment, channel);
    }

    /**
     * An approval by a voter whose channel knows more about them: their sign-in time (for step-up
     * rules) or a break-glass reason. A break-glass approval, allowed only to the break-glass group,
     * approves at once, is logged as break-glass, tells that group, and opens a review that another
     * human must acknowledge ({@link #acknowledgeBreakGlass}).
     */
    public ApprovalRequest approve(Voter voter, RequestId id, Optional<String> comment, String channel) {
        return vote(voter, id, Vote.Choice.APPROVE, comment, channel);
    }

    /** A human's denial, which needs a comment; one eligible denial denies the request. */
    public ApprovalRequest deny(Human human, RequestId id, String comment, String channel) {
        return deny(Voter.of(human), id, comment, channel);
    }

    public ApprovalRequest deny(Voter voter, RequestId id, String comment, String channel) {
        if (comment == null || comment.isBlank()) {
            throw new WorkflowException.Unprocessable("a denial needs a comment saying why");
        }
        return vote(voter, id, Vote.Choice.DENY, Optional.of(comment), channel);
    }

    private ApprovalRequest vote(
            Voter voter, RequestId id, Vote.Choice choice, Optional<String> comment, String channel) {
        requireNonNull(voter, "voter is null");
        requireNonNull(channel, "channel is null");
        Human human = voter.human();
        Instant now = now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            requirePendingAt(request, now);
            votingRule.refusal(voter, choice, request, now).ifPresent(refusal -> {
                throw refusal.stepUpRequired()
                        ? new WorkflowException.StepUpRequired(refusal.reason())
                        : new WorkflowException.Forbidden(refusal.reason());
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
                recordTrips(
                        tx,
                        breakers.humanDenied(request.agent().name(), policy.breakers(), now, tx::trippedBreaker),
                        result,
                        now);
            } else if (voter.breaksGlass()) {
                result = voted.withBreakGlass(BreakGlass.used(
                                human.name(), voter.breakGlassReason().orElseThrow(), now))
                        .decided(RequestStatus.APPROVED, now, human.auditName(), Optional.of(newGrant(now)));
                tx.append(RequestEvents.breakGlassUsed(result));
            } else if (votingRule.quorumMet(voted)) {
                result = voted.decided(RequestStatus.APPROVED, now, human.auditName(), Optional.of(newGrant(now)));
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
        notifyChanged(after);
        if (voter.breaksGlass()) {
            notices.tell(breakGlassNotice(after, voter));
        }
        return after;
    }

    /** Another human closes the follow-up review of a break-glass approval; the one who broke the glass can't. */
    public ApprovalRequest acknowledgeBreakGlass(Human human, RequestId id, Optional<String> comment) {
        requireNonNull(human, "human is null");
        Instant now = now();
        return store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            BreakGlass breakGlass = request.breakGlass()
                    .orElseThrow(() -> new WorkflowException.Conflict(
                            "request " + id + " was not approved by break-glass; there is no review to acknowledge"));
            if (!breakGlass.reviewOpen()) {
                throw new WorkflowException.Conflict("the break-glass review of request " + id + " was acknowledged by "
                        + breakGlass.acknowledgedBy().orElseThrow() + " at "
                        + breakGlass.acknowledgedAt().orElseThrow());
            }
            boolean breaker = breakGlass.usedBy().equals(human.name())
                    || request.votes().stream()
                            .anyMatch(vote -> vote.voter().equals(breakGlass.usedBy())
                                    && !vote.email().isBlank()
                                    && vote.email().equalsIgnoreCase(human.email()));
            if (breaker) {
                throw new WorkflowException.Forbidden(human.name() + " used break-glass on request " + id
                        + "; another human must acknowledge the review");
            }
            ApprovalRequest acknowledged = request.withBreakGlass(
                    breakGlass.acknowledged(human.name(), now, comment.filter(c -> !c.isBlank())));
            tx.update(acknowledged);
            tx.append(RequestEvents.breakGlassReviewAcknowledged(acknowledged, human));
            return acknowledged;
        });
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

    /** The requesting agent withdraws its pending request. */
    public ApprovalRequest cancel(Agent agent, RequestId id) {
        Instant now = now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            requireRequester(agent, request);
            requirePendingAt(request, now);
            ApprovalRequest cancelled =
                    request.decided(RequestStatus.CANCELLED, now, agent.auditName(), Optional.empty());
            tx.update(cancelled);
            tx.append(RequestEvents.resolved(cancelled));
            notices.enqueue(tx, NotificationType.REQUEST_DECIDED, cancelled, now);
            return cancelled;
        });
        notifyChanged(after);
        return after;
    }

    /**
     * An enforcing adapter's caller is gone (it cancelled, disconnected, or the process holding the
     * call exited): the pending request is cancelled by {@code system} with {@code why}, so no human
     * approves something that would never run, or would run when nobody waits for it. Returns the
     * request as it is when it was no longer pending (already decided, expired): nothing changes then.
     */
    public ApprovalRequest abandon(RequestId id, String why) {
        requireNonNull(why, "why is null");
        Instant now = now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            if (!request.isPending()) {
                return request;
            }
            ApprovalRequest cancelled =
                    request.decided(RequestStatus.CANCELLED, now, "system", Optional.empty(), Optional.of(why));
            tx.update(cancelled);
            tx.append(RequestEvents.resolved(cancelled));
            notices.enqueue(tx, NotificationType.REQUEST_DECIDED, cancelled, now);
            return cancelled;
        });
        if (after.status() == RequestStatus.CANCELLED) {
            notifyChanged(after);
        }
        return after;
    }

    /**
     * Consumes the grant and records what the agent reports. When {@code executing} is given (an
     * adapter that runs the action itself), the grant must also be for exactly that action.
     */
    public ApprovalRequest reportExecution(
            Agent agent,
            RequestId id,
            String grantToken,
            Optional<Action> executing,
            Execution.Outcome outcome,
            Optional<String> detail) {
        requireNonNull(grantToken, "grantToken is null");
        Instant now = now();
        requireNotSuspended(agent);
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = presentedGrant(tx, agent, id, grantToken, executing, now);
            Execution execution = new Execution(outcome, detail, now);
            ApprovalRequest executed = request.executed(execution);
            tx.update(executed);
            tx.append(RequestEvents.grantUsed(executed, now));
            tx.append(RequestEvents.executed(executed, execution));
            notices.enqueue(tx, NotificationType.ACTION_EXECUTED, executed, now);
            return executed;
        });
        notifyChanged(after);
        return after;
    }

    /**
     * Consumes the grant before an adapter runs the action itself, for a request whose id an agent
     * was shown and may present again (HTTP's retry). The claim is one transaction on the store,
     * which serializes the writes of every node, so of any number of claims on one grant, across
     * nodes, exactly one succeeds; the others get a {@link WorkflowException.Conflict}. The outcome
     * follows with {@link #reportClaimedExecution}; a node that dies in between leaves the request
     * approved with its grant used: run at most once, never twice.
     */
    public ApprovalRequest claimGrant(Agent agent, RequestId id, String grantToken, Action executing) {
        requireNonNull(grantToken, "grantToken is null");
        requireNonNull(executing, "executing is null");
        Instant now = now();
        requireNotSuspended(agent);
        return store.transact(tx -> {
            ApprovalRequest request = presentedGrant(tx, agent, id, grantToken, Optional.of(executing), now);
            ApprovalRequest claimed = request.grantClaimed(now);
            tx.update(claimed);
            tx.append(RequestEvents.grantUsed(claimed, now));
            return claimed;
        });
    }

    /** Records the outcome of an execution whose grant {@link #claimGrant} consumed. */
    public ApprovalRequest reportClaimedExecution(
            Agent agent, RequestId id, Execution.Outcome outcome, Optional<String> detail) {
        Instant now = now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            requireRequester(agent, request);
            boolean claimed = request.status() == RequestStatus.APPROVED
                    && request.grant().flatMap(GrantRecord::usedAt).isPresent();
            if (!claimed) {
                throw new WorkflowException.Conflict("request " + id + " is "
                        + request.status().wireName() + " and has no claimed grant to report on");
            }
            Execution execution = new Execution(outcome, detail, now);
            ApprovalRequest executed = request.executed(execution);
            tx.update(executed);
            tx.append(RequestEvents.executed(executed, execution));
            notices.enqueue(tx, NotificationType.ACTION_EXECUTED, executed, now);
            return executed;
        });
        notifyChanged(after);
        return after;
    }

    private void requireNotSuspended(Agent agent) {
        suspensions.suspensionOf(agent.name()).ifPresent(suspension -> {
            throw new WorkflowException.Forbidden(
                    "agent " + agent.name() + " is suspended; it may not execute anything");
        });
    }

    /** The agent's own request {@code id}, whose grant {@code grantToken} is usable now for {@code executing}. */
    private ApprovalRequest presentedGrant(
            Transaction tx, Agent agent, RequestId id, String grantToken, Optional<Action> executing, Instant now) {
        ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
        requireRequester(agent, request);
        usableGrant(request, grantToken, now);
        if (executing.isPresent() && !executing.get().digest().matches(request.digest())) {
            throw new WorkflowException.Unprocessable("the grant of request " + id
                    + " is for another action (digest " + request.digest() + ", the action presented has "
                    + executing.get().digest() + ")");
        }
        return request;
    }

    private GrantRecord usableGrant(ApprovalRequest request, String grantToken, Instant now) {
        Optional<RequestId> named = GrantTokens.requestOf(grantToken);
        if (named.isEmpty()) {
            throw new WorkflowException.Unprocessable("'grant' is not a grant token");
        }
        if (!named.get().equals(request.id())) {
            throw new WorkflowException.Unprocessable(
                    "the grant belongs to another action (request " + named.get() + "), not to " + request.id());
        }
        GrantRecord grant = request.grant()
                .orElseThrow(() -> new WorkflowException.Conflict(
                        "request " + request.id() + " is " + request.status().wireName() + " and has no grant"));
        if (!grantTokens.verifies(grantToken, request.id(), request.digest(), grant.expiresAt())) {
            throw new WorkflowException.Unprocessable(
                    "the grant does not verify for request " + request.id() + " and its action");
        }
        if (grant.usedAt().isPresent()) {
            throw new WorkflowException.Conflict("the grant of request " + request.id() + " was already used at "
                    + grant.usedAt().get());
        }
        if (!now.isBefore(grant.expiresAt())) {
            throw new WorkflowException.Conflict(
                    "the grant of request " + request.id() + " expired at " + grant.expiresAt());
        }
        return grant;
    }

    /** Expires every pending request whose timeout has passed (deny by default); returns how many. */
    public int expireDue() {
        int expired = 0;
        for (ApprovalRequest due : store.findExpired(now())) {
            Instant now = now();
            Optional<ApprovalRequest> after = store.transact(tx -> tx.find(due.id())
                    .filter(request -> request.isPending()
                            && !request.expiresAt().orElseThrow().isAfter(now))
                    .map(request -> {
                        ApprovalRequest expiredRequest =
                                request.decided(RequestStatus.EXPIRED, now, "system", Optional.empty());
                        tx.update(expiredRequest);
                        tx.append(RequestEvents.resolved(expiredRequest));
                        notices.enqueue(tx, NotificationType.REQUEST_DECIDED, expiredRequest, now);
                        return expiredRequest;
                    }));
            if (after.isPresent()) {
                expired++;
                notifyChanged(after.get());
            }
        }
        return expired;
    }

    /**
     * Escalates every pending request whose rule's {@code escalate.after} has passed and that has not
     * escalated under that rule yet: the escalation's groups may vote from now on, the audit log says so
     * ({@code request.escalated}, from which groups to which), and the channels are told. Each request's
     * escalation is one transaction that checks again, so nodes sweeping at once escalate it once, and one
     * that crashes before its commit leaves it to the next sweep. Returns how many requests escalated.
     */
    public int escalateDue() {
        int escalated = 0;
        Instant sweep = now();
        for (ApprovalRequest due : store.findPending()) {
            if (due.escalationsDue(sweep).isEmpty()) {
                continue;
            }
            Instant now = now();
            Optional<ApprovalRequest> after = store.transact(tx -> tx.find(due.id())
                    .filter(request -> !request.escalationsDue(now).isEmpty()
                            && request.expiresAt().orElseThrow().isAfter(now))
                    .map(request -> {
                        ApprovalRequest result = request;
                        for (io.countersign.policy.ApprovalRequirement requirement : request.escalationsDue(now)) {
                            result = result.withEscalated(requirement.rule());
                            tx.append(RequestEvents.escalated(result, requirement, now));
                        }
                        tx.update(result);
                        notices.enqueue(tx, NotificationType.REQUEST_ESCALATED, result, now);
                        return result;
                    }));
            if (after.isPresent()) {
                escalated++;
                notifyChanged(after.get());
            }
        }
        return escalated;
    }

    public Optional<ApprovalRequest> find(RequestId id) {
        return store.find(id);
    }

    /** The pending requests this human may decide now. */
    public List<ApprovalRequest> inbox(Human human) {
        return store.findPending().stream()
                .filter(request -> votingRule.mayVote(human, request))
                .toList();
    }

    /** Why this human may not vote on the request, or empty when they may: for channels that show it. */
    public Optional<String> whyNotAllowedToVote(Human human, ApprovalRequest request) {
        if (!request.isPending()) {
            return Optional.of(
                    "request " + request.id() + " is " + request.status().wireName());
        }
        return votingRule.refusal(human, request);
    }

    /** The same, with what the channel knows of the voter: step-up and break-glass included. */
    public Optional<VotingRule.Refusal> whyNotAllowedToVote(Voter voter, Vote.Choice choice, ApprovalRequest request) {
        if (!request.isPending()) {
            return Optional.of(new VotingRule.Refusal(
                    "request " + request.id() + " is " + request.status().wireName(), false));
        }
        return votingRule.refusal(voter, choice, request, now());
    }

    /** The grant token of an approved, unused, unexpired request of an agent that is not suspended, for its agent to read. */
    public Optional<String> grantToken(ApprovalRequest request) {
        if (request.grant().isPresent()
                && suspensions.suspensionOf(request.agent().name()).isPresent()) {
            return Optional.empty();
        }
        return request.grant()
                .filter(grant -> request.status() == RequestStatus.APPROVED
                        && grant.usedAt().isEmpty()
                        && now().isBefore(grant.expiresAt()))
                .map(grant -> grantTokens.token(request.id(), request.digest(), grant.expiresAt()));
    }

    private void requireRequester(Agent agent, ApprovalRequest request) {
        if (!request.agent().name().equals(agent.name())) {
            throw new WorkflowException.Forbidden("request " + request.id() + " belongs to agent "
                    + request.agent().name() + ", not to " + agent.name());
        }
    }

    private static void requirePendingAt(ApprovalRequest request, Instant now) {
        if (!request.isPending()) {
            throw new WorkflowException.Conflict(
                    "request " + request.id() + " is " + request.status().wireName() + ", no longer pending");
        }
        if (!now.isBefore(request.expiresAt().orElseThrow())) {
            throw new WorkflowException.Conflict("request " + request.id() + " expired at "
                    + request.expiresAt().get());
        }
    }

    private GrantRecord newGrant(Instant now) {
        return new GrantRecord(now, now.plus(settings.grantTtl()), Optional.empty());
    }

    private void notifyChanged(ApprovalRequest request) {
        try {
            listener.changed(request);
        } catch (RuntimeException e) {
            LOG.warn("request listener failed for {}", request.id(), e);
        }
    }

    /** Millisecond precision, so a time survives the store and the audit leaf unchanged. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
