package io.countersign.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Delegation;
import io.countersign.workflow.Allowance;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Submission;
import io.countersign.workflow.Vote;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seam every enforcing adapter goes through, so that the five steps live once: the adapter
 * has authenticated the agent ({@link AgentAuthenticator}) and turned its message into actions;
 * here each action is submitted to the workflow (decided and durably recorded before anything
 * runs), held while a human decides, executed upstream once and only when every action is
 * approved, and the execution recorded against each request's grant. A message that is several
 * actions (a SQL statement on several tables) is decided on each; the most restrictive wins.
 */
public final class Enforcement implements AutoCloseable {
    /** How often a held action checks that its agent is still there. */
    public static final Duration PRESENCE_CHECK = Duration.ofMillis(250);
    /** The expiry sweep runs every 250 ms; wait a little past the expiry for its verdict. */
    private static final Duration EXPIRY_GRACE = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(Enforcement.class);

    private final Workflow workflow;
    private final DecisionSignals signals;
    private final Clock clock;
    private final Supplier<String> baseUrl;
    /**
     * Requests whose grant an execution is about to consume: the grant is consumed when the
     * upstream's answer is recorded, so an agent coming back twice at once must not run it twice.
     */
    private final Set<RequestId> executing = ConcurrentHashMap.newKeySet();

    private final ExecutorService reports = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("proxy-execution-report-", 0).factory());

    /** {@code baseUrl} is the gateway's public URL, for the console pages of held requests. */
    public Enforcement(Workflow workflow, DecisionSignals signals, Clock clock, Supplier<String> baseUrl) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
    }

    /**
     * Decides {@code actions} for {@code agent} (holding through {@code hold} while any is pending)
     * and, when all are approved, calls {@code upstream} exactly once. Never calls it otherwise.
     */
    public Outcome enforce(Login.Admitted agent, List<Action> actions, Hold hold, Upstream upstream) {
        return enforce(agent, actions, hold, upstream, Recording.REQUESTS);
    }

    /** {@link #enforce(Login.Admitted, List, Hold, Upstream)}, recording as {@code recording} says. */
    public Outcome enforce(
            Login.Admitted agent, List<Action> actions, Hold hold, Upstream upstream, Recording recording) {
        requireNonNull(agent, "agent is null");
        requireNonNull(hold, "hold is null");
        requireNonNull(upstream, "upstream is null");
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("nothing to enforce: no actions");
        }
        requireNonNull(recording, "recording is null");
        if (recording == Recording.ALLOWANCES && actions.size() == 1) {
            Submission submitted;
            try {
                submitted = workflow.submitAllowingOutright(agent.agent(), actions.get(0), agent.scopes());
            } catch (WorkflowException e) {
                return refused(e);
            }
            return switch (submitted) {
                case Submission.Allowed allowed -> executeAllowed(allowed.allowance(), upstream);
                case Submission.Recorded recorded ->
                    recorded.request().status() == RequestStatus.DENIED
                            ? refusal(recorded.request())
                            : holdThenExecute(agent, List.of(recorded.request()), hold, upstream, false);
            };
        }
        List<ApprovalRequest> requests = new ArrayList<>();
        try {
            for (Action action : actions) {
                ApprovalRequest request =
                        workflow.submit(agent.agent(), action, Optional.empty(), agent.scopes(), Delegation.NONE);
                requests.add(request);
                if (request.status() == RequestStatus.DENIED) {
                    // The most restrictive wins: one denial refuses the message; the others need not wait for anyone.
                    cancelPending(agent, requests);
                    return refusal(request);
                }
            }
        } catch (WorkflowException e) {
            cancelPending(agent, requests);
            return refused(e);
        }
        return holdThenExecute(agent, requests, hold, upstream, false);
    }

    private static Outcome refused(WorkflowException e) {
        return new Outcome.Refused(
                Outcome.Reason.REFUSED,
                "Countersign refused the action: " + e.getMessage(),
                Optional.empty(),
                List.of());
    }

    /** Runs an action allowed outright, once; its allowance entry is durable already (invariant 1). */
    private Outcome executeAllowed(Allowance allowance, Upstream upstream) {
        CompletionStage<ExecutionRecord> execution;
        try {
            execution = upstream.execute(allowance.decision().masks());
        } catch (Upstream.UpstreamFailure e) {
            String detail = java.util.Objects.requireNonNullElse(e.getMessage(), "no detail");
            report(allowance, ExecutionRecord.failed(detail));
            return new Outcome.UpstreamFailed(detail);
        }
        execution.whenComplete((result, failure) -> {
            ExecutionRecord record =
                    result != null ? result : ExecutionRecord.failed("the upstream's answer was lost: " + failure);
            try {
                reports.execute(() -> report(allowance, record));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                report(allowance, record);
            }
        });
        return new Outcome.Executed(List.of(allowance.id()));
    }

    private void report(Allowance allowance, ExecutionRecord record) {
        try {
            workflow.recordExecution(allowance, record.outcome(), Optional.of(record.detail()));
        } catch (RuntimeException e) {
            // The action already ran; the agent has its answer. The failure to record is an operator's problem.
            LOG.error("proxy allowance={} ran but its execution could not be recorded", allowance.id(), e);
        }
    }

    /**
     * For an agent that comes back for a request it was told to wait for ({@link Hold#deadline}
     * passed first: HTTP's 202 and retry). {@code action} is the message presented now, which must
     * be exactly the request's action (its digest); then it is held, refused or executed as
     * {@link #enforce} does, and executed at most once whatever how many times the agent comes back.
     */
    public Outcome resume(Login.Admitted agent, RequestId id, Action action, Hold hold, Upstream upstream) {
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        requireNonNull(hold, "hold is null");
        requireNonNull(upstream, "upstream is null");
        Optional<ApprovalRequest> found = workflow.find(id)
                .filter(request -> request.agent().name().equals(agent.agent().name()));
        if (found.isEmpty()) {
            // Another agent's request reads as unknown: its existence is not this agent's business.
            return new Outcome.Refused(
                    Outcome.Reason.REFUSED,
                    "Countersign has no request " + id + " of agent "
                            + agent.agent().name(),
                    Optional.empty(),
                    List.of());
        }
        ApprovalRequest request = found.get();
        if (!action.digest().matches(request.digest())) {
            return new Outcome.Refused(
                    Outcome.Reason.CHANGED,
                    "Countersign: request " + id + " was for another "
                            + request.action().action() + " on "
                            + request.action().resource() + " (digest " + request.digest()
                            + "); the one presented has " + action.digest() + ". Nothing was sent upstream.",
                    Optional.of(id),
                    request.decision().rules());
        }
        if (request.status() != RequestStatus.APPROVED && !request.isPending()) {
            return refusal(request);
        }
        // Read again once claimed: another resume may have run it and used its grant since it was read here.
        return holdThenExecute(agent, List.of(request), hold, upstream, true);
    }

    private Outcome holdThenExecute(
            Login.Admitted agent, List<ApprovalRequest> requests, Hold hold, Upstream upstream, boolean reread) {
        List<ApprovalRequest> pending =
                requests.stream().filter(ApprovalRequest::isPending).toList();
        if (!pending.isEmpty()) {
            hold.held(pending.stream().map(this::pending).toList());
            List<ApprovalRequest> decided = new ArrayList<>(
                    requests.stream().filter(request -> !request.isPending()).toList());
            for (ApprovalRequest request : pending) {
                Optional<ApprovalRequest> after = await(request, hold);
                if (after.isEmpty()) {
                    cancelPending(agent, requests);
                    String why = hold.gone().orElse("the agent went away");
                    return new Outcome.Refused(
                            Outcome.Reason.AGENT_GONE,
                            "Countersign cancelled request " + request.id() + " for "
                                    + request.action().action() + ": " + why,
                            Optional.of(request.id()),
                            request.decision().rules());
                }
                if (after.get().isPending() && pastDeadline(hold)) {
                    // The agent will come back (resume); what is pending stays pending for the humans.
                    return new Outcome.Refused(
                            Outcome.Reason.AWAITING,
                            "Countersign: " + request.action().action() + " on "
                                    + request.action().resource()
                                    + " waits for approval (request " + request.id() + "): "
                                    + request.decision().reason(),
                            Optional.of(request.id()),
                            request.decision().rules());
                }
                if (after.get().status() != RequestStatus.APPROVED) {
                    cancelPending(agent, requests);
                    return refusal(after.get());
                }
                decided.add(after.get());
            }
            requests = decided;
        }
        // A held request's id was shown to the agent, which may come back for it meanwhile (resume).
        return execute(agent, requests, upstream, reread || !pending.isEmpty());
    }

    private boolean pastDeadline(Hold hold) {
        return hold.deadline()
                .filter(deadline -> !clock.instant().isBefore(deadline))
                .isPresent();
    }

    private Outcome execute(Login.Admitted agent, List<ApprovalRequest> approved, Upstream upstream, boolean reread) {
        List<RequestId> claimed = new ArrayList<>();
        for (ApprovalRequest request : approved) {
            if (!executing.add(request.id())) {
                executing.removeAll(claimed);
                return new Outcome.Refused(
                        Outcome.Reason.NOT_RUN,
                        "Countersign: request " + request.id() + " is being executed already; it runs once",
                        Optional.of(request.id()),
                        request.decision().rules());
            }
            claimed.add(request.id());
        }
        try {
            return executeClaimed(agent, approved, upstream, reread);
        } catch (RuntimeException e) {
            executing.removeAll(claimed);
            throw e;
        }
    }

    private Outcome executeClaimed(
            Login.Admitted agent, List<ApprovalRequest> approved, Upstream upstream, boolean reread) {
        List<String> grants = new ArrayList<>();
        for (ApprovalRequest request : approved) {
            // A resumed or held request is read again: a grant consumed by an execution that finished since.
            // A request allowed at once is current (its id was never shown), so the hot path saves the read.
            Optional<String> grant =
                    reread ? workflow.find(request.id()).flatMap(workflow::grantToken) : workflow.grantToken(request);
            if (grant.isEmpty()) {
                approved.forEach(claimed -> executing.remove(claimed.id()));
                return new Outcome.Refused(
                        Outcome.Reason.NOT_RUN,
                        "Countersign approved request " + request.id()
                                + " but its grant is no longer usable (expired, or the agent was suspended)",
                        Optional.of(request.id()),
                        request.decision().rules());
            }
            grants.add(grant.get());
        }
        if (reread) {
            Optional<Outcome> lost = claimDurably(agent, approved, grants);
            if (lost.isPresent()) {
                return lost.get();
            }
        }
        CompletionStage<ExecutionRecord> execution;
        try {
            execution = upstream.execute(approved.stream()
                    .flatMap(request -> request.decision().masks().stream())
                    .toList());
        } catch (Upstream.UpstreamFailure e) {
            record(
                    agent,
                    approved,
                    grants,
                    reread,
                    CompletableFuture.completedFuture(
                            ExecutionRecord.failed(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"))));
            return new Outcome.UpstreamFailed(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        record(agent, approved, grants, reread, execution);
        return new Outcome.Executed(approved.stream().map(ApprovalRequest::id).toList());
    }

    /**
     * Consumes each grant and records the outcome once the upstream has answered, off the agent's
     * path: the decision was durable before the message went upstream (invariant 1); the record
     * follows, and {@link #close} waits for those still on their way.
     */
    private void record(
            Login.Admitted agent,
            List<ApprovalRequest> approved,
            List<String> grants,
            boolean claimed,
            CompletionStage<ExecutionRecord> execution) {
        execution.whenComplete((result, failure) -> {
            ExecutionRecord record =
                    result != null ? result : ExecutionRecord.failed("the upstream's answer was lost: " + failure);
            for (int i = 0; i < approved.size(); i++) {
                ApprovalRequest request = approved.get(i);
                String grant = grants.get(i);
                try {
                    reports.execute(() -> report(agent, request, grant, claimed, record));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    report(agent, request, grant, claimed, record);
                }
            }
        });
    }

    private void report(
            Login.Admitted agent, ApprovalRequest request, String grant, boolean claimed, ExecutionRecord record) {
        try {
            if (claimed) {
                workflow.reportClaimedExecution(
                        agent.agent(), request.id(), record.outcome(), Optional.of(record.detail()));
            } else {
                workflow.reportExecution(
                        agent.agent(),
                        request.id(),
                        grant,
                        Optional.of(request.action()),
                        record.outcome(),
                        Optional.of(record.detail()));
            }
            // The grant is used now: the workflow refuses it from here on.
            executing.remove(request.id());
        } catch (RuntimeException e) {
            // The statement already ran; the agent has its answer. The failure to record is an operator's problem.
            // The request stays claimed: an agent coming back for it must not run it a second time.
            LOG.error("proxy request={} ran but its execution could not be recorded", request.id(), e);
        }
    }

    /**
     * Consumes each grant in the store before anything goes upstream. A request whose id the agent
     * was shown may be presented again at once, to this node or another on the same database: the
     * in-memory claim guards one node only, the store's claim all of them, so exactly one
     * presentation runs. Empty when every grant is this execution's; otherwise the refusal, and the
     * grants already claimed are recorded as not run (consumed, so never run later either).
     */
    private Optional<Outcome> claimDurably(Login.Admitted agent, List<ApprovalRequest> approved, List<String> grants) {
        for (int i = 0; i < approved.size(); i++) {
            ApprovalRequest request = approved.get(i);
            try {
                workflow.claimGrant(agent.agent(), request.id(), grants.get(i), request.action());
            } catch (WorkflowException e) {
                for (ApprovalRequest claimed : approved.subList(0, i)) {
                    report(
                            agent,
                            claimed,
                            "",
                            true,
                            ExecutionRecord.failed("not run: request " + request.id() + " could not be claimed ("
                                    + e.getMessage() + ")"));
                }
                approved.forEach(unclaimed -> executing.remove(unclaimed.id()));
                return Optional.of(new Outcome.Refused(
                        Outcome.Reason.NOT_RUN,
                        "Countersign: request " + request.id() + " runs once, and not here: " + e.getMessage(),
                        Optional.of(request.id()),
                        request.decision().rules()));
            }
        }
        return Optional.empty();
    }

    /** The request once decided; empty when the agent went away first. Still pending past its expiry: as it stands. */
    private Optional<ApprovalRequest> await(ApprovalRequest pending, Hold hold) {
        Instant until = pending.expiresAt().orElseThrow().plus(EXPIRY_GRACE);
        CompletableFuture<ApprovalRequest> decided = signals.awaitDecision(pending.id());
        try {
            ApprovalRequest current = workflow.find(pending.id()).orElse(pending);
            while (current.isPending()) {
                if (hold.gone().isPresent()) {
                    return Optional.empty();
                }
                Instant stop = hold.deadline()
                        .filter(deadline -> deadline.isBefore(until))
                        .orElse(until);
                Duration left = Duration.between(clock.instant(), stop);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                try {
                    current = decided.get(Math.min(left.toMillis(), PRESENCE_CHECK.toMillis()), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    current = workflow.find(pending.id()).orElse(current);
                }
            }
            return Optional.of(current);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for request " + pending.id() + " failed", e.getCause());
        } finally {
            signals.forget(pending.id(), decided);
        }
    }

    /** A held call whose agent has gone, or whose sibling was refused, is cancelled, never run later (invariant 9). */
    private void cancelPending(Login.Admitted agent, List<ApprovalRequest> requests) {
        for (ApprovalRequest request : requests) {
            if (!request.isPending()) {
                continue;
            }
            try {
                workflow.cancel(agent.agent(), request.id());
            } catch (WorkflowException e) {
                // Decided or expired in the meantime: it is not pending any more, which is all we need.
                LOG.debug("proxy request={} could not be cancelled: {}", request.id(), e.getMessage());
            }
        }
    }

    private Hold.Pending pending(ApprovalRequest request) {
        return new Hold.Pending(
                request.id(),
                request.action().action(),
                request.action().resource(),
                baseUrl.get() + "/console/requests/" + request.id(),
                request.decision().reason());
    }

    private static Outcome.Refused refusal(ApprovalRequest request) {
        String action = request.action().action() + " on " + request.action().resource();
        List<String> rules = request.decision().rules();
        String ruleText = rules.isEmpty() ? "" : " [rule " + String.join(", ", rules) + "]";
        Optional<Vote> denial = request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.DENY)
                .findFirst();
        return switch (request.status()) {
            case DENIED ->
                denial.isPresent()
                        ? new Outcome.Refused(
                                Outcome.Reason.DENIED_BY_HUMAN,
                                "Countersign: " + denial.get().voter() + " denied " + action + " (request "
                                        + request.id() + ")"
                                        + denial.get()
                                                .comment()
                                                .map(c -> ": " + c)
                                                .orElse("") + ruleText,
                                Optional.of(request.id()),
                                rules)
                        : new Outcome.Refused(
                                Outcome.Reason.DENIED_BY_POLICY,
                                "Countersign denied " + action + " (request " + request.id() + "): "
                                        + request.decision().reason() + ruleText,
                                Optional.of(request.id()),
                                rules);
            case EXPIRED ->
                new Outcome.Refused(
                        Outcome.Reason.EXPIRED,
                        "Countersign: nobody approved " + action + " in time; request " + request.id() + " expired"
                                + ruleText,
                        Optional.of(request.id()),
                        rules);
            case PENDING ->
                new Outcome.Refused(
                        Outcome.Reason.NOT_RUN,
                        "Countersign: " + action + " is still waiting for approval (request " + request.id()
                                + "); the gateway stopped waiting",
                        Optional.of(request.id()),
                        rules);
            default ->
                new Outcome.Refused(
                        Outcome.Reason.NOT_RUN,
                        "Countersign: request " + request.id() + " for " + action + " is "
                                + request.status().wireName(),
                        Optional.of(request.id()),
                        rules);
        };
    }

    /** Waits (up to 10 s) for execution records still being written. */
    @Override
    public void close() {
        reports.shutdown();
        try {
            if (!reports.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("proxy: execution records still pending at shutdown were dropped");
                reports.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
