package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Delegation;
import io.countersign.identity.Human;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.Person;
import io.countersign.identity.PersonName;
import io.countersign.identity.Scopes;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.PolicyEngine;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The approval workflow: every path that changes a request goes through here, in one store
 * transaction that also appends the audit events explaining the change. A grant is handed out
 * only after the transaction that records the decision is durable (invariant 1).
 *
 * <p>A facade: {@link Submissions} (with {@link Admission}), {@link Voting}, {@link
 * BreakGlassReviews}, {@link Cancellations}, {@link Grants} and {@link Sweeps} do the work.
 */
public final class Workflow {
    private final PolicyEngine policy;
    private final Store store;
    private final MillisClock clock;
    private final Submissions submissions;
    private final Voting voting;
    private final BreakGlassReviews breakGlassReviews;
    private final Cancellations cancellations;
    private final Grants grants;
    private final Sweeps sweeps;

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
        // Each part checks the arguments it is given.
        this.policy = requireNonNull(policy, "policy is null");
        this.store = requireNonNull(store, "store is null");
        MillisClock time = new MillisClock(clock);
        this.clock = time;
        ChangeNotices notices = new ChangeNotices(subscriptions, notifier);
        SafeListener changes = new SafeListener(listener);
        BreakerTrips breakers = new BreakerTrips(notices);
        Admission admission = new Admission(policy, suspensions, knownHumans);
        this.grants = new Grants(store, time, grantTokens, settings, suspensions, notices, changes);
        this.submissions = new Submissions(policy, store, time, admission, breakers, grants, notices, changes);
        this.voting = new Voting(policy, store, time, votingRule, suspensions, breakers, grants, notices, changes);
        this.breakGlassReviews = new BreakGlassReviews(store, time);
        this.cancellations = new Cancellations(store, time, notices, changes);
        this.sweeps = new Sweeps(store, time, notices, changes);
    }

    /** What the policy would decide; nothing is recorded. */
    public Decision simulate(Agent agent, Action action) {
        return policy.decide(new DecisionInput(action, agent, clock.now()));
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
        return submissions.submit(agent, action, idempotencyKey, scopes, delegation, verified);
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
        return submissions.submitAllowingOutright(agent, action, scopes);
    }

    /** Records what became of an allowance's action, once; the entry follows the allowance's in the log. */
    public void recordExecution(Allowance allowance, Execution.Outcome outcome, Optional<String> detail) {
        submissions.recordExecution(allowance, outcome, detail);
    }

    /** A human's approval; approves the request once every approval requirement has its quorum. */
    public ApprovalRequest approve(Human human, RequestId id, Optional<String> comment, String channel) {
        return voting.approve(Voter.of(human), id, comment, channel);
    }

    /**
     * An approval by a voter whose channel knows more about them: their sign-in time (for step-up
     * rules) or a break-glass reason. A break-glass approval, allowed only to the break-glass group,
     * approves at once, is logged as break-glass, tells that group, and opens a review that another
     * human must acknowledge ({@link #acknowledgeBreakGlass}).
     */
    public ApprovalRequest approve(Voter voter, RequestId id, Optional<String> comment, String channel) {
        return voting.approve(voter, id, comment, channel);
    }

    /** A human's denial, which needs a comment; one eligible denial denies the request. */
    public ApprovalRequest deny(Human human, RequestId id, String comment, String channel) {
        return deny(Voter.of(human), id, comment, channel);
    }

    public ApprovalRequest deny(Voter voter, RequestId id, String comment, String channel) {
        return voting.deny(voter, id, comment, channel);
    }

    /** Another human closes the follow-up review of a break-glass approval; the one who broke the glass can't. */
    public ApprovalRequest acknowledgeBreakGlass(Human human, RequestId id, Optional<String> comment) {
        return breakGlassReviews.acknowledge(human, id, comment);
    }

    /** The requesting agent withdraws its pending request. */
    public ApprovalRequest cancel(Agent agent, RequestId id) {
        return cancellations.cancel(agent, id);
    }

    /**
     * An enforcing adapter's caller is gone (it cancelled, disconnected, or the process holding the
     * call exited): the pending request is cancelled by {@code system} with {@code why}, so no human
     * approves something that would never run, or would run when nobody waits for it. Returns the
     * request as it is when it was no longer pending (already decided, expired): nothing changes then.
     */
    public ApprovalRequest abandon(RequestId id, String why) {
        return cancellations.abandon(id, why);
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
        return grants.reportExecution(agent, id, grantToken, executing, outcome, detail);
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
        return grants.claim(agent, id, grantToken, executing);
    }

    /** Records the outcome of an execution whose grant {@link #claimGrant} consumed. */
    public ApprovalRequest reportClaimedExecution(
            Agent agent, RequestId id, Execution.Outcome outcome, Optional<String> detail) {
        return grants.reportClaimedExecution(agent, id, outcome, detail);
    }

    /** Expires every pending request whose timeout has passed (deny by default); returns how many. */
    public int expireDue() {
        return sweeps.expireDue();
    }

    /**
     * Escalates every pending request whose rule's {@code escalate.after} has passed and that has not
     * escalated under that rule yet: the escalation's groups may vote from now on, the audit log says so
     * ({@code request.escalated}, from which groups to which), and the channels are told. Each request's
     * escalation is one transaction that checks again, so nodes sweeping at once escalate it once, and one
     * that crashes before its commit leaves it to the next sweep. Returns how many requests escalated.
     */
    public int escalateDue() {
        return sweeps.escalateDue();
    }

    public Optional<ApprovalRequest> find(RequestId id) {
        return store.find(id);
    }

    /** The pending requests this human may decide now. */
    public List<ApprovalRequest> inbox(Human human) {
        return voting.inbox(human);
    }

    /** Why this human may not vote on the request, or empty when they may: for channels that show it. */
    public Optional<String> whyNotAllowedToVote(Human human, ApprovalRequest request) {
        return voting.whyNotAllowedToVote(human, request);
    }

    /**
     * Records a vote that a channel refused itself after asking {@link #whyNotAllowedToVote} (a
     * click it answers without calling {@link #approve}), as a refused call is recorded:
     * {@code vote.refused}, with who, why and the channel. A step-up refusal is not recorded.
     */
    public void recordRefusedVote(
            Voter voter, Vote.Choice choice, ApprovalRequest request, String channel, VotingRule.Refusal refusal) {
        voting.recordRefusedVote(voter, choice, request, channel, refusal);
    }

    /** The same, with what the channel knows of the voter: step-up and break-glass included. */
    public Optional<VotingRule.Refusal> whyNotAllowedToVote(Voter voter, Vote.Choice choice, ApprovalRequest request) {
        return voting.whyNotAllowedToVote(voter, choice, request);
    }

    /** The grant token of an approved, unused, unexpired request of an agent that is not suspended, for its agent to read. */
    public Optional<String> grantToken(ApprovalRequest request) {
        return grants.token(request);
    }
}
