package io.countersign.server.policychange;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Store;
import io.countersign.workflow.Vote;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A policy change as a privileged action. A proposal is validated, then recorded as an ordinary
 * approval request of the built-in system agent {@value #SYSTEM_AGENT_NAME} (action
 * {@value #ACTION}, on behalf of the proposer, so the one voting rule refuses the proposer's own
 * vote), decided by the groups of the {@code policyChanges} config through every channel. Only an
 * approved request's single-use grant writes the file and loads it; a pending, denied, expired or
 * already applied change has no grant and changes nothing.
 *
 * <p>The request binds the exact text: its params carry the content, its hash and the version it
 * replaces, and the grant is bound to the params' digest. A change is applied only on top of the
 * version it was proposed against, so two approved changes can't silently overwrite each other.
 */
public final class PolicyChanges {
    /** Not a valid name for a created agent (':' is not allowed there), so no credential can act as it. */
    public static final String SYSTEM_AGENT_NAME = "countersign:policy";

    public static final String ACTION = "policy.change";
    private static final Agent SYSTEM_AGENT = new Agent(SYSTEM_AGENT_NAME, Map.of());

    /** The policy that decides now, and how to replace its file. */
    public interface ActivePolicy {
        /** The file the policy is loaded from; empty when the gateway runs the bundled example. */
        Optional<Path> file();

        Policy current();

        /** Replaces the file's content atomically and loads it; returns the policy deciding afterwards. */
        Policy write(String content) throws IOException;
    }

    /** A proposal as the API shows it. */
    public record Proposal(ApprovalRequest request, String activeVersion) {}

    private final PolicyChangeSettings settings;
    private final Workflow workflow;
    private final ActivePolicy active;
    private final Store store;
    private final Clock clock;
    private final ChangeReview review;

    public PolicyChanges(
            PolicyChangeSettings settings, Workflow workflow, ActivePolicy active, Store store, Clock clock) {
        this(settings, workflow, active, store, clock, ChangeReview.NONE);
    }

    /** {@code review}: the replay and the suggestion evidence each proposal carries to its approvers. */
    public PolicyChanges(
            PolicyChangeSettings settings,
            Workflow workflow,
            ActivePolicy active,
            Store store,
            Clock clock,
            ChangeReview review) {
        this.review = requireNonNull(review, "review is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.active = requireNonNull(active, "active is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public static boolean isSystemAgent(Agent agent) {
        return agent.name().equals(SYSTEM_AGENT_NAME);
    }

    /** A request of the gateway's own: not an agent's action, left out of insights and replay. */
    public static boolean isSystemRequest(ApprovalRequest request) {
        return isSystemAgent(request.agent());
    }

    /**
     * Validates {@code yaml} and records it as a pending change.
     *
     * @throws io.countersign.policy.PolicyException when the text is not a valid policy (file, line, rule)
     * @throws WorkflowException.Conflict when changes through the API are off, the gateway has no policy file, or nothing changes
     */
    public ApprovalRequest propose(Human proposer, String yaml, String reason) {
        return propose(proposer, yaml, reason, Optional.empty());
    }

    /**
     * {@link #propose(Human, String, String)} adopting the suggestion of that rule name: the request
     * carries its evidence. Every proposal carries the line diff and the replay's impact.
     *
     * @throws WorkflowException.Unprocessable when no such suggestion is made now, or the policy lacks its rule
     */
    public ApprovalRequest propose(Human proposer, String yaml, String reason, Optional<String> suggestion) {
        requireNonNull(proposer, "proposer is null");
        requireNonNull(suggestion, "suggestion is null");
        requireNonNull(yaml, "yaml is null");
        if (!settings.enabled()) {
            throw new WorkflowException.Conflict(
                    "policy changes through the API are off; configure policyChanges.approvers");
        }
        Path file = active.file()
                .orElseThrow(
                        () -> new WorkflowException.Conflict(
                                "the gateway runs the bundled example policy; start it with a policy file (--policy) to change it"));
        if (reason == null || reason.isBlank()) {
            throw new WorkflowException.Unprocessable("a policy change needs a reason");
        }
        Policy current = active.current();
        Policy candidate = Policy.parse(String.valueOf(file.getFileName()), yaml);
        if (candidate.version().equals(current.version())) {
            throw new WorkflowException.Conflict(
                    "the proposed policy is the active one (" + current.version() + "); nothing to change");
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("version", candidate.version());
        params.put("previousVersion", current.version());
        params.put("file", file.toString());
        params.set("diff", PolicyDiff.between(current, candidate).json());
        params.put("lineDiff", LineDiff.between(current.source(), yaml));
        review.impact(candidate).ifPresent(impact -> params.set("impact", impact));
        if (suggestion.isPresent()) {
            if (candidate.rules().stream().noneMatch(rule -> rule.name().equals(suggestion.get()))) {
                throw new WorkflowException.Unprocessable(
                        "the proposed policy has no rule '" + suggestion.get() + "'; add the suggested rule to it");
            }
            try {
                params.set("evidence", review.evidence(suggestion.get()));
            } catch (IllegalArgumentException e) {
                throw new WorkflowException.Unprocessable(
                        java.util.Objects.requireNonNullElse(e.getMessage(), "no such suggestion"));
            }
        }
        params.put("content", yaml);
        Action action = new Action(ACTION, resource(file), params, reason, Optional.of(personOf(proposer)));
        // The proposer is known (they are signed in): the request resolves to them, so no identity of theirs approves
        // it.
        return workflow.submit(
                SYSTEM_AGENT,
                action,
                Optional.empty(),
                Scopes.UNRESTRICTED,
                Delegation.VERIFIED,
                Optional.of(proposer.person()));
    }

    public Proposal find(RequestId id) {
        return new Proposal(change(id), active.current().version());
    }

    /**
     * Writes and loads an approved change, consumes its grant and records {@code policy.changed}.
     *
     * @throws WorkflowException.Conflict when the change is not approved (pending, denied, expired, cancelled), was already
     *     applied, its grant expired, or the active policy is no longer the one it was proposed against
     * @throws WorkflowException.Forbidden when it was approved by break-glass or by its proposer
     */
    public synchronized ApprovalRequest apply(Human applier, RequestId id) {
        requireNonNull(applier, "applier is null");
        ApprovalRequest request = change(id);
        requireApproved(request);
        JsonNode params = request.action().paramsView();
        String version = params.path("version").asString();
        String previousVersion = params.path("previousVersion").asString();
        Path file = active.file()
                .orElseThrow(() -> new WorkflowException.Conflict(
                        "the gateway runs the bundled example policy; nothing to write"));
        if (!file.toString().equals(params.path("file").asString())) {
            throw new WorkflowException.Conflict(
                    "change " + id + " is for " + params.path("file").asString() + ", the gateway runs " + file);
        }
        String content = params.path("content").asString();
        if (!Policy.parse(String.valueOf(file.getFileName()), content).version().equals(version)) {
            throw new IllegalStateException("bug: change " + id + " carries content that is not version " + version);
        }
        String activeVersion = active.current().version();
        if (!activeVersion.equals(previousVersion)) {
            throw new WorkflowException.Conflict("change " + id + " was proposed against " + previousVersion + ", but "
                    + activeVersion + " decides now; propose it again against the active policy");
        }
        String grant = workflow.grantToken(request)
                .orElseThrow(() -> new WorkflowException.Conflict("the grant of change " + id
                        + " is no longer usable (expired at "
                        + request.grant().map(g -> g.expiresAt().toString()).orElse("?") + "); propose it again"));
        Policy loaded;
        try {
            loaded = active.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the policy file " + file + "; change " + id + " is not applied", e);
        }
        if (!loaded.version().equals(version)) {
            throw new IllegalStateException(
                    "wrote version " + version + " to " + file + " but " + loaded.version() + " decides");
        }
        ApprovalRequest executed = workflow.reportExecution(
                SYSTEM_AGENT,
                id,
                grant,
                Optional.of(request.action()),
                Execution.Outcome.SUCCEEDED,
                Optional.of("applied by " + applier.name() + ": " + previousVersion + " -> " + version));
        recordChange(executed, applier, file, previousVersion, version);
        return executed;
    }

    private ApprovalRequest change(RequestId id) {
        return workflow.find(requireNonNull(id, "id is null"))
                .filter(PolicyChanges::isSystemRequest)
                .filter(request -> request.action().action().equals(ACTION))
                .orElseThrow(() -> new WorkflowException.NotFound(id));
    }

    private static void requireApproved(ApprovalRequest request) {
        RequestStatus status = request.status();
        switch (status) {
            case APPROVED -> {}
            case PENDING ->
                throw new WorkflowException.Conflict(
                        "change " + request.id() + " is pending; it takes effect only once approved");
            case EXECUTED ->
                throw new WorkflowException.Conflict("change " + request.id() + " was already applied at "
                        + request.execution().map(e -> e.time().toString()).orElse("?"));
            default ->
                throw new WorkflowException.Conflict(
                        "change " + request.id() + " is " + status.wireName() + "; it does not take effect");
        }
        if (request.breakGlass().isPresent()) {
            throw new WorkflowException.Forbidden("change " + request.id()
                    + " was approved by break-glass; a policy change needs the normal approval");
        }
        String proposer = request.action()
                .onBehalfOf()
                .orElseThrow(() -> new IllegalStateException("change " + request.id() + " has no proposer"));
        boolean selfApproved = request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                .anyMatch(vote -> vote.voter().equalsIgnoreCase(proposer)
                        || (!vote.email().isBlank() && vote.email().equalsIgnoreCase(proposer)));
        if (selfApproved) {
            throw new WorkflowException.Forbidden(
                    "change " + request.id() + " was approved by its proposer " + proposer);
        }
    }

    private void recordChange(
            ApprovalRequest request, Human applier, Path file, String previousVersion, String version) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("file", file.toString());
        data.put("previousVersion", previousVersion);
        data.put("version", version);
        data.put("proposedBy", request.action().onBehalfOf().orElseThrow());
        data.put("reason", request.action().reason());
        ArrayNode approvers = data.putArray("approvedBy");
        List<Vote> approvals = request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                .toList();
        approvals.forEach(vote -> approvers.add(vote.voter()));
        data.put("appliedBy", applier.name());
        data.set("diff", request.action().paramsView().path("diff").deepCopy());
        store.transact(tx -> tx.append(new AuditEvent(
                AuditEventType.POLICY_CHANGED,
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                applier.auditName(),
                Optional.of(request.id().value()),
                data)));
    }

    /** The person the change is on behalf of: their email when they have one, so every identity of theirs is refused the vote. */
    private static String personOf(Human human) {
        return human.email().isBlank() ? human.name() : human.email();
    }

    private static String resource(Path file) {
        String name = String.valueOf(file.getFileName()).replaceAll("[^A-Za-z0-9_.:@=+-]", "-");
        return "policy/" + (name.isEmpty() ? "policy" : name);
    }
}
