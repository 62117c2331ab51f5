package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.server.actions.LongPolls;
import io.countersign.store.StoreUnavailableException;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The steps every request of an agent's goes through, whatever it asks for (a tool call, a read, a
 * prompt, a subscription): decided by the workflow, held for a human where the policy asks (while
 * its agent still waits, cancelled once it is gone), run upstream only once allowed or approved,
 * and its outcome recorded with the grant. The gateway ({@link McpGateway}) says what each request
 * is and how a refusal looks.
 */
final class RequestGate {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** The expiry sweep runs every 250 ms; wait a little past the expiry for its verdict. */
    private static final Duration EXPIRY_GRACE = Duration.ofSeconds(2);

    private static final int MAX_RECORDED_RESULT_CHARS = 16 * 1024;

    private final Workflow workflow;
    private final JsonMapper mapper;
    private final Set<String> sensitive;
    private final boolean elicitation;
    private final Supplier<String> baseUrl;
    private final DecisionWait waits;
    private final java.util.concurrent.ExecutorService reports =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("mcp-execution-report-", 0).factory());
    private final HeldRequests held;

    RequestGate(
            Workflow workflow,
            LongPolls longPolls,
            Clock clock,
            JsonMapper mapper,
            McpConfig config,
            Supplier<String> baseUrl,
            java.nio.file.Path dataDirectory) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.sensitive = config.sensitive();
        this.elicitation = config.elicitation();
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
        this.waits = new DecisionWait(workflow, longPolls, clock, PROGRESS_EVERY);
        this.held = new HeldRequests(dataDirectory, workflow);
    }

    /**
     * The seam's steps for one request of an agent's: decides {@code action} (holding it for a
     * human where the policy asks), runs {@code run} upstream only once it is allowed or approved
     * and its agent still waits, and records the outcome with the grant. Every refusal and failure
     * is {@code refused} applied to the reason: an {@code isError} result for a tool, an error for a read.
     */
    <R> R gated(
            Agent agent,
            Upstream upstream,
            Action action,
            String what,
            ToolService.Waiting waiting,
            Function<String, R> refused,
            Supplier<R> run,
            java.util.function.Predicate<R> failed,
            Function<R, String> describe) {
        ApprovalRequest request;
        try {
            request = workflow.submit(agent, action, Optional.empty());
            if (request.status() == RequestStatus.PENDING) {
                request = awaitDecision(request, upstream, waiting);
            }
        } catch (WorkflowException e) {
            return refused.apply("Countersign refused " + action.action() + ": " + e.getMessage());
        } catch (StoreUnavailableException e) {
            // The database went away after the call was authenticated: say so, as /v1 does with a 503 (the driver's
            // message, which names hosts, stays in the log).
            LOG.warn("mcp agent={} {}: the store is unavailable: {}", agent.name(), what, e.getMessage());
            return refused.apply("Countersign can't reach its database right now; " + what
                    + " was not run; try again in a few seconds");
        }
        LOG.debug(
                "mcp agent={} {} action={} request={} status={}",
                agent.name(),
                what,
                action.action(),
                request.id(),
                request.status().wireName());
        if (request.status() != RequestStatus.APPROVED) {
            return refused.apply(refusal(request));
        }
        Optional<String> grant = workflow.grantToken(request);
        if (grant.isEmpty()) {
            return refused.apply("Countersign approved request " + request.id()
                    + " but its grant is no longer usable (expired before the call)");
        }
        Optional<String> gone = waiting.gone();
        if (gone.isPresent()) {
            // Approved just as the agent went: it is not run now that nobody waits for it; the grant is used up.
            String why = "not run: " + gone.get();
            report(agent, request, action, grant.get(), Execution.Outcome.FAILED, () -> why);
            return refused.apply("Countersign: " + action.action() + " (request " + request.id() + ") " + why);
        }
        R result;
        try {
            result = run.get();
        } catch (Upstream.Failure e) {
            String why = e.getMessage() + " (" + what + ")";
            LOG.warn("mcp request={} {}", request.id(), why);
            report(agent, request, action, grant.get(), Execution.Outcome.FAILED, () -> why);
            return refused.apply(why);
        } catch (RuntimeException e) {
            String why = "upstream '" + upstream.name() + "' failed on " + what + ": " + e.getMessage();
            LOG.warn("mcp request={} {}", request.id(), why);
            report(agent, request, action, grant.get(), Execution.Outcome.FAILED, () -> why);
            return refused.apply(why);
        }
        Execution.Outcome outcome = failed.test(result) ? Execution.Outcome.FAILED : Execution.Outcome.SUCCEEDED;
        report(agent, request, action, grant.get(), outcome, () -> describe.apply(result));
        return result;
    }

    private ApprovalRequest awaitDecision(ApprovalRequest pending, Upstream upstream, ToolService.Waiting waiting) {
        String id = pending.id().value();
        // Held only while someone waits for it: once the agent is gone, the request is cancelled, so no
        // human approves a call that would never run, or would run when nobody waits for it (invariant 9).
        held.holding(pending.id());
        ToolService.Subscription gone = waiting.whenGone(
                why -> abandon(pending, why + "; nothing waits for this call any more, so it can't be approved"));
        // The upstream is lost while the call is held: the agent hears so now, not after the approval, and
        // the request goes with its answer (a call the agent was told failed must not run later).
        ToolService.Subscription lost = upstream.whenDown(why -> abandon(
                pending,
                why + " while the call was held for approval; the agent was answered with an error, so it can't be"
                        + " approved"));
        if (elicitation) {
            waiting.heldForApproval(
                    id,
                    baseUrl.get() + "/console/requests/" + id,
                    "Countersign holds " + pending.action().action() + " for approval (request " + id + "): "
                            + pending.decision().reason()
                            + ". Open the page to see the request and who may approve it.");
        }
        try {
            return waits.await(
                    pending,
                    pending.expiresAt().orElseThrow().plus(EXPIRY_GRACE),
                    (step, request) -> waiting.progress(
                            step,
                            (step == 0 ? "waiting" : "still waiting") + " for approval of "
                                    + request.action().action() + " (request " + request.id() + ")"));
        } finally {
            gone.close();
            lost.close();
            held.released(pending.id());
            if (elicitation) {
                waiting.settled(id);
            }
        }
    }

    private void abandon(ApprovalRequest pending, String why) {
        try {
            ApprovalRequest after = workflow.abandon(pending.id(), why);
            LOG.info("mcp request={} {}: {}", pending.id(), after.status().wireName(), why);
        } catch (RuntimeException e) {
            LOG.warn(
                    "mcp request={} could not be cancelled after its agent went ({}): {}",
                    pending.id(),
                    why,
                    e.getMessage());
        }
    }

    /** Cancels the requests held by gateway processes that died on this data folder; returns how many. */
    int sweepDeadProcesses() {
        return held.sweepDeadProcesses();
    }

    /**
     * Consumes the grant and records the outcome (serializing the result for the record, too) off
     * the agent's path: the decision was durable
     * before the call was forwarded (invariant 1); the execution record follows within
     * milliseconds, and {@link #close} waits for the ones still on their way.
     */
    private void report(
            Agent agent,
            ApprovalRequest request,
            Action action,
            String grant,
            Execution.Outcome outcome,
            Supplier<String> detail) {
        reports.execute(() -> {
            try {
                workflow.reportExecution(
                        agent, request.id(), grant, Optional.of(action), outcome, Optional.of(detail.get()));
            } catch (RuntimeException e) {
                // The call already ran; the agent has its result. The failure to record is an operator's problem.
                LOG.error("mcp request={} ran but its execution could not be recorded", request.id(), e);
            }
        });
    }

    /** Waits (up to 10 s) for execution records still being written. */
    void close() {
        reports.shutdown();
        try {
            if (!reports.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("mcp: execution records still pending at shutdown were dropped");
                reports.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The result as the audit log keeps it: the JSON, or {@code sha256:<hex> size:<n>} where it is sensitive or large. */
    String recorded(String server, Object result) {
        String json;
        try {
            json = Verbatim.of(result)
                    .map(mapper::writeValueAsString)
                    .orElseGet(() -> mapper.writeValueAsString(result));
        } catch (RuntimeException e) {
            json = String.valueOf(result);
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (!sensitive.contains(server) && json.length() <= MAX_RECORDED_RESULT_CHARS) {
            return json;
        }
        return "sha256:" + McpGateway.sha256(bytes) + " size:" + bytes.length;
    }

    private static String refusal(ApprovalRequest request) {
        String action = request.action().action();
        return switch (request.status()) {
            case DENIED ->
                "Countersign denied " + action + " (request " + request.id() + "): "
                        + request.votes().stream()
                                .filter(vote -> vote.choice() == io.countersign.workflow.Vote.Choice.DENY)
                                .findFirst()
                                .map(vote -> "denied by " + vote.voter()
                                        + vote.comment().map(c -> ": " + c).orElse(""))
                                .or(request::resolution)
                                .orElse(request.decision().reason())
                        + (request.decision().rules().isEmpty()
                                ? ""
                                : " [rule "
                                        + String.join(", ", request.decision().rules()) + "]");
            case EXPIRED -> "Countersign: nobody approved " + action + " in time; request " + request.id() + " expired";
            case CANCELLED ->
                "Countersign: request " + request.id() + " for " + action + " was cancelled"
                        + request.resolution().map(why -> ": " + why).orElse("");
            case PENDING ->
                "Countersign: " + action + " is still waiting for approval (request " + request.id()
                        + "); the gateway stopped waiting";
            default ->
                "Countersign: request " + request.id() + " for " + action + " is "
                        + request.status().wireName();
        };
    }
}
