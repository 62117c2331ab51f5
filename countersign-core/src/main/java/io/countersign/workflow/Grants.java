package io.countersign.workflow;

import static io.countersign.workflow.RequestGuards.requireRequester;
import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.outbox.NotificationType;
import java.time.Instant;
import java.util.Optional;

/**
 * Grants: issued with an approval, shown to the requesting agent as a token, and consumed once,
 * by the agent's report of the execution or by an adapter's claim before it runs the action.
 */
final class Grants {
    private final Store store;
    private final MillisClock clock;
    private final GrantTokens grantTokens;
    private final WorkflowSettings settings;
    private final AgentSuspensions suspensions;
    private final ChangeNotices notices;
    private final SafeListener listener;

    Grants(
            Store store,
            MillisClock clock,
            GrantTokens grantTokens,
            WorkflowSettings settings,
            AgentSuspensions suspensions,
            ChangeNotices notices,
            SafeListener listener) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.grantTokens = requireNonNull(grantTokens, "grantTokens is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.suspensions = requireNonNull(suspensions, "suspensions is null");
        this.notices = requireNonNull(notices, "notices is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** A new grant, valid for the settings' grant TTL from {@code now}. */
    GrantRecord issue(Instant now) {
        return new GrantRecord(now, now.plus(settings.grantTtl()), Optional.empty());
    }

    /** See {@link Workflow#grantToken}. */
    Optional<String> token(ApprovalRequest request) {
        if (request.grant().isPresent()
                && suspensions.suspensionOf(request.agent().name()).isPresent()) {
            return Optional.empty();
        }
        return request.grant()
                .filter(grant -> request.status() == RequestStatus.APPROVED
                        && grant.usedAt().isEmpty()
                        && clock.now().isBefore(grant.expiresAt()))
                .map(grant -> grantTokens.token(request.id(), request.digest(), grant.expiresAt()));
    }

    /** See {@link Workflow#reportExecution}. */
    ApprovalRequest reportExecution(
            Agent agent,
            RequestId id,
            String grantToken,
            Optional<Action> executing,
            Execution.Outcome outcome,
            Optional<String> detail) {
        requireNonNull(grantToken, "grantToken is null");
        Instant now = clock.now();
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
        listener.changed(after);
        return after;
    }

    /** See {@link Workflow#claimGrant}. */
    ApprovalRequest claim(Agent agent, RequestId id, String grantToken, Action executing) {
        requireNonNull(grantToken, "grantToken is null");
        requireNonNull(executing, "executing is null");
        Instant now = clock.now();
        requireNotSuspended(agent);
        return store.transact(tx -> {
            ApprovalRequest request = presentedGrant(tx, agent, id, grantToken, Optional.of(executing), now);
            ApprovalRequest claimed = request.grantClaimed(now);
            tx.update(claimed);
            tx.append(RequestEvents.grantUsed(claimed, now));
            return claimed;
        });
    }

    /** See {@link Workflow#reportClaimedExecution}. */
    ApprovalRequest reportClaimedExecution(
            Agent agent, RequestId id, Execution.Outcome outcome, Optional<String> detail) {
        Instant now = clock.now();
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
        listener.changed(after);
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
}
