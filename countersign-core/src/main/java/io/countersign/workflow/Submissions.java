package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.action.ActionDigest;
import io.countersign.breaker.CircuitBreakers;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.identity.Person;
import io.countersign.identity.Scopes;
import io.countersign.outbox.NotificationType;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Submission: an agent's action, admitted, decided by the policy, counted by the breakers and
 * recorded, with its decision, in one transaction; or, for an adapter that runs it at once, an
 * allowance and its execution.
 */
final class Submissions {
    private final PolicyEngine policy;
    private final Store store;
    private final MillisClock clock;
    private final Admission admission;
    private final BreakerTrips breakers;
    private final Grants grants;
    private final ChangeNotices notices;
    private final SafeListener listener;

    Submissions(
            PolicyEngine policy,
            Store store,
            MillisClock clock,
            Admission admission,
            BreakerTrips breakers,
            Grants grants,
            ChangeNotices notices,
            SafeListener listener) {
        this.policy = requireNonNull(policy, "policy is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.admission = requireNonNull(admission, "admission is null");
        this.breakers = requireNonNull(breakers, "breakers is null");
        this.grants = requireNonNull(grants, "grants is null");
        this.notices = requireNonNull(notices, "notices is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** See {@link Workflow#submit(Agent, Action, Optional, Scopes, Delegation, Optional)}. */
    ApprovalRequest submit(
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
        Optional<Person> resolved = admission.resolveOnBehalfOf(action, delegation, verified);
        Instant now = clock.now();
        Decision decision = admission
                .admit(agent, action, scopes)
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
            CircuitBreakers.Verdict verdict = breakers.apply(tx, agent.name(), decision, policyBreakers, now);
            return record(tx, agent, action, digest, verdict, idempotencyKey, now, delegation, resolved);
        });
        listener.changed(stored);
        return stored;
    }

    /** See {@link Workflow#submitAllowingOutright}. */
    Submission submitAllowingOutright(Agent agent, Action action, Scopes scopes) {
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        requireNonNull(scopes, "scopes is null");
        Instant now = clock.now();
        Optional<Decision> refused = admission.admit(agent, action, scopes);
        Decision decision =
                refused.orElseGet(() -> policy.decide(new DecisionInput(action, agent, now, Delegation.NONE)));
        if (action.onBehalfOf().isPresent() || decision.effect() != Effect.ALLOW) {
            // Someone's say may follow (a vote, the person acted for): the request and its life, as ever.
            return new Submission.Recorded(
                    submit(agent, action, Optional.empty(), scopes, Delegation.NONE, Optional.empty()));
        }
        ActionDigest digest = action.digest();
        List<Breaker> policyBreakers = policy.breakers();
        Submission submitted = store.transact(tx -> {
            CircuitBreakers.Verdict verdict = breakers.apply(tx, agent.name(), decision, policyBreakers, now);
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
            listener.changed(recorded.request());
        }
        return submitted;
    }

    /** See {@link Workflow#recordExecution}. */
    void recordExecution(Allowance allowance, Execution.Outcome outcome, Optional<String> detail) {
        requireNonNull(allowance, "allowance is null");
        Execution execution = new Execution(outcome, detail, clock.now());
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
        breakers.record(tx, verdict.trips(), request, now);
        return request;
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
                        Optional.of(grants.issue(now)),
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
}
