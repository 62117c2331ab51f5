package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.breaker.CircuitBreakers;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replays recorded requests against a proposed policy: each request's action, agent (with the
 * labels it had), delegation and creation time go through the new policy, and the decision is
 * compared with the one recorded. Only the requests whose decision would change are reported.
 *
 * <p>A decision changes when the effect, the matching rules, or the approval requirements
 * (groups, quorum, timeout, step-up) differ. A request a circuit breaker held is replayed with
 * that breaker still tripped, as it was then: the new policy's breaker of the same name holds it
 * again if it still covers the request, so an unchanged policy changes nothing, and a policy
 * that drops or narrows the breaker shows the requests it would have let through. Requests the gateway denied before asking the
 * policy (a suspended agent, an action outside the credential's scopes) are not replayed: the
 * policy never decided them, and would not now either.
 */
public final class Replay {
    private Replay() {}

    /** One request whose decision would change. */
    public record Change(ApprovalRequest request, Decision before, Decision after) {
        public Change {
            requireNonNull(request, "request is null");
            requireNonNull(before, "before is null");
            requireNonNull(after, "after is null");
        }

        /** {@code require_approval -> allow}, or {@code deny (rules)} when only the rules or requirements changed. */
        public String kind() {
            return before.effect() == after.effect()
                    ? before.effect().wireName() + " (rules)"
                    : before.effect().wireName() + " -> " + after.effect().wireName();
        }
    }

    /**
     * @param replayed how many requests went through the new policy
     * @param notReplayed how many were denied before the policy was asked
     * @param counts per change kind, by kind
     */
    public record Report(
            Instant from,
            Instant to,
            String policyVersion,
            int replayed,
            int notReplayed,
            List<Change> changes,
            Map<String, Integer> counts) {
        public Report {
            requireNonNull(from, "from is null");
            requireNonNull(to, "to is null");
            requireNonNull(policyVersion, "policyVersion is null");
            changes = List.copyOf(requireNonNull(changes, "changes is null"));
            counts = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(counts, "counts is null")));
        }
    }

    public static Report run(Policy policy, List<ApprovalRequest> history, Instant from, Instant to) {
        requireNonNull(policy, "policy is null");
        requireNonNull(history, "history is null");
        int replayed = 0;
        int notReplayed = 0;
        List<Change> changes = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (ApprovalRequest request : history) {
            Decision before = request.decision();
            if (decidedBeforeThePolicy(before)) {
                notReplayed++;
                continue;
            }
            replayed++;
            Decision after = held(
                    policy,
                    request,
                    policy.decide(new DecisionInput(
                            request.action(), request.agent(), request.createdAt(), request.delegation())));
            if (!sameDecision(before, after)) {
                Change change = new Change(request, before, after);
                changes.add(change);
                counts.merge(change.kind(), 1, Integer::sum);
            }
        }
        return new Report(from, to, policy.version(), replayed, notReplayed, changes, counts);
    }

    /** The new decision under the breakers that held the recorded one, if the new policy still has them. */
    private static Decision held(Policy policy, ApprovalRequest request, Decision after) {
        Set<String> holds = BreakerHolds.of(request.decision());
        if (holds.isEmpty()) {
            return after;
        }
        List<Breaker> still = policy.breakers().stream()
                .filter(breaker -> holds.contains(breaker.name()))
                .toList();
        String agent = request.agent().name();
        // A fresh instance: the state says every one of these breakers is tripped, so nothing is counted.
        return new CircuitBreakers()
                .apply(agent, after, still, request.createdAt(), (who, name) -> still.stream()
                        .filter(breaker -> breaker.name().equals(name))
                        .findFirst()
                        .map(breaker -> new TrippedBreaker(
                                who, name, request.createdAt(), breaker.max() + 1, breaker.per(), Optional.empty())))
                .decision();
    }

    /** The workflow's own denials carry no rule and a reason of their own; the policy's default says "no rule matched". */
    static boolean decidedBeforeThePolicy(Decision decision) {
        return decision.effect() == Effect.DENY
                && decision.rules().isEmpty()
                && !decision.reason().startsWith("no rule matched");
    }

    private static boolean sameDecision(Decision before, Decision after) {
        return before.effect() == after.effect()
                && before.rules().equals(after.rules())
                && requirements(before).equals(requirements(after));
    }

    private static List<String> requirements(Decision decision) {
        return decision.approvals().stream().map(Replay::describe).sorted().toList();
    }

    private static String describe(ApprovalRequirement requirement) {
        return requirement.rule() + " " + new TreeSet<>(requirement.groups()) + " quorum " + requirement.quorum()
                + " timeout " + requirement.timeout() + (requirement.stepUp() ? " step-up" : "");
    }
}
