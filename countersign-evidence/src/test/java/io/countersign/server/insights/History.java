package io.countersign.server.insights;

import io.countersign.action.Action;
import io.countersign.breaker.CircuitBreakers;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.Agent;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.BreakGlass;
import io.countersign.workflow.GrantRecord;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** A recorded decision history built the way the workflow would have: the policy decides, then a human (or the clock) resolves. */
final class History {
    static final String POLICY = """
            default: deny
            rules:
              - name: queries-need-a-data-owner
                match: {action: "db.query"}
                effect: require_approval
                approval: {groups: [data-owners], quorum: 1, timeout: 1h}
              - name: shell-needs-ops
                match: {action: "shell.exec"}
                effect: require_approval
                approval: {groups: [ops], quorum: 1, timeout: 1h}
              - name: reads-are-free
                match: {action: "file.read"}
                effect: allow
            """;

    enum Outcome {
        APPROVED,
        DENIED,
        EXPIRED,
        BREAK_GLASS,
        NONE
    }

    static final Instant START = Instant.parse("2026-11-01T10:00:00Z");

    private final Policy policy;
    private final List<ApprovalRequest> requests = new ArrayList<>();
    // The gateway's own breaker logic, with the tripped state it would have stored.
    private final CircuitBreakers breakers = new CircuitBreakers();
    private final Map<String, TrippedBreaker> tripped = new HashMap<>();
    private Instant time = START;
    private Duration step = Duration.ofMinutes(7);
    private Duration decisionDelay = Duration.ofSeconds(60);
    private String approver = "bob";
    private String approverEmail = "bob@example.com";
    private Optional<String> comment = Optional.empty();
    private Optional<Set<String>> voterGroups = Optional.empty();

    History(Policy policy) {
        this.policy = policy;
    }

    History() {
        this(Policy.parse("policy.yaml", POLICY));
    }

    ApprovalRequest add(String agent, String action, String resource, Outcome outcome) {
        return add(agent, action, resource, JsonNodeFactory.instance.objectNode(), outcome);
    }

    ApprovalRequest shell(String agent, String command, Outcome outcome) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("command", command);
        return add(agent, "shell.exec", "hosts/build-1", params, outcome);
    }

    ApprovalRequest add(String agent, String action, String resource, ObjectNode params, Outcome outcome) {
        time = time.plus(step);
        Action wanted = Action.of(action, resource, params, "because");
        Agent asking = new Agent(agent, Map.of("team", "data"));
        RequestId id = RequestId.random();
        CircuitBreakers.Verdict verdict = breakers.apply(
                agent,
                policy.decide(new DecisionInput(wanted, asking, time)),
                policy.breakers(),
                time,
                (who, name) -> Optional.ofNullable(tripped.get(who + "/" + name)));
        verdict.trips().forEach(trip -> tripped.put(agent + "/" + trip.breaker().name(), trip.state(id.value())));
        Decision decision = verdict.decision();
        Instant decided = time.plus(decisionDelay);
        ApprovalRequest request =
                switch (decision.effect()) {
                    case ALLOW ->
                        request(
                                id,
                                asking,
                                wanted,
                                decision,
                                RequestStatus.APPROVED,
                                List.of(),
                                "policy",
                                Optional.of(grant(time)),
                                Optional.empty());
                    case DENY ->
                        request(
                                id,
                                asking,
                                wanted,
                                decision,
                                RequestStatus.DENIED,
                                List.of(),
                                "policy",
                                Optional.empty(),
                                Optional.empty());
                    case REQUIRE_APPROVAL ->
                        switch (outcome) {
                            case APPROVED ->
                                request(
                                        id,
                                        asking,
                                        wanted,
                                        decision,
                                        RequestStatus.EXECUTED,
                                        List.of(vote(decision, Vote.Choice.APPROVE, decided)),
                                        "human:" + approver,
                                        Optional.of(grant(decided)),
                                        Optional.empty());
                            case DENIED ->
                                request(
                                        id,
                                        asking,
                                        wanted,
                                        decision,
                                        RequestStatus.DENIED,
                                        List.of(vote(decision, Vote.Choice.DENY, decided)),
                                        "human:" + approver,
                                        Optional.empty(),
                                        Optional.empty());
                            case EXPIRED ->
                                request(
                                        id,
                                        asking,
                                        wanted,
                                        decision,
                                        RequestStatus.EXPIRED,
                                        List.of(),
                                        "system",
                                        Optional.empty(),
                                        Optional.empty());
                            case BREAK_GLASS ->
                                request(
                                        id,
                                        asking,
                                        wanted,
                                        decision,
                                        RequestStatus.APPROVED,
                                        List.of(vote(decision, Vote.Choice.APPROVE, decided)),
                                        "human:" + approver,
                                        Optional.of(grant(decided)),
                                        Optional.of(BreakGlass.used(approver, "outage", decided)));
                            case NONE ->
                                throw new IllegalArgumentException("a request that needs approval needs an outcome");
                        };
                };
        requests.add(request);
        return request;
    }

    private ApprovalRequest request(
            RequestId id,
            Agent agent,
            Action action,
            Decision decision,
            RequestStatus status,
            List<Vote> votes,
            String by,
            Optional<GrantRecord> grant,
            Optional<BreakGlass> breakGlass) {
        return new ApprovalRequest(
                id,
                agent,
                action,
                action.digest(),
                decision,
                status,
                votes,
                time,
                Optional.empty(),
                Optional.of(by.startsWith("human:") ? time.plus(decisionDelay) : time),
                Optional.of(by),
                Optional.empty(),
                grant,
                Optional.empty(),
                io.countersign.identity.Delegation.NONE,
                Optional.empty(),
                breakGlass);
    }

    private static GrantRecord grant(Instant at) {
        return new GrantRecord(at, at.plusSeconds(300), Optional.empty());
    }

    /** How long until the next request. */
    History every(Duration step) {
        this.step = step;
        return this;
    }

    /** How long the humans take to decide. */
    History decidedAfter(Duration delay) {
        this.decisionDelay = delay;
        return this;
    }

    /** Who decides from now on, and what they say. */
    History decidedBy(String approver, Optional<String> comment) {
        return decidedBy(approver, approver + "@example.com", comment);
    }

    /** Who decides from now on, with which email (another person of the same name, say), and what they say. */
    History decidedBy(String approver, String email, Optional<String> comment) {
        this.approver = approver;
        this.approverEmail = email;
        this.comment = comment;
        return this;
    }

    /** The groups the deciders are in (by default: every group the decision asked for). */
    History voterGroups(Set<String> groups) {
        this.voterGroups = Optional.of(groups);
        return this;
    }

    /** A human resets the agent's breaker. */
    void reset(String agent, String breaker) {
        tripped.remove(agent + "/" + breaker);
    }

    Policy policy() {
        return policy;
    }

    private Vote vote(Decision decision, Vote.Choice choice, Instant at) {
        Set<String> groups = new HashSet<>(Set.of("staff"));
        if (voterGroups.isPresent()) {
            groups.addAll(voterGroups.get());
        } else {
            decision.approvals().stream().map(ApprovalRequirement::groups).forEach(groups::addAll);
        }
        return new Vote(
                approver,
                approverEmail,
                groups,
                choice,
                choice == Vote.Choice.DENY ? Optional.of(comment.orElse("no")) : comment,
                at,
                "api");
    }

    List<ApprovalRequest> requests() {
        return List.copyOf(requests);
    }

    Instant end() {
        return time.plus(Duration.ofHours(1));
    }
}
