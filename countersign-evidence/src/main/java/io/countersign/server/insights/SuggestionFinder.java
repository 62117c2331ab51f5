package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.DecisionInput;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds rules the humans' decisions argue for, never broader than those decisions. Only requests
 * the policy sent to humans count ({@link Verdict}); a suggestion needs at least {@code minCount}
 * of them, every one decided the same way. One contrary decision, an expiry or a break-glass
 * approval among them: no suggestion. Approvals a circuit breaker forced are not evidence.
 *
 * <ul>
 *   <li><b>allow</b>: per action, agent and resource family ({@link AllowSuggestions}), with the
 *       resources and parameter values that were approved, and no others.</li>
 *   <li><b>deny</b> by agent, and by a parameter phrase of whole words ({@link DenySuggestions}).</li>
 * </ul>
 *
 * Every rule is then replayed alone against the whole history ({@link RuleCheck}): one that
 * would decide any recorded request otherwise than it was decided is dropped. With the current
 * policy known, a suggestion it already follows (the policy decides all its evidence the way the
 * rule would) is not made again.
 */
public final class SuggestionFinder {
    public static final int DEFAULT_MIN_COUNT = 10;

    private final int minCount;
    private final Optional<Policy> current;

    public SuggestionFinder(int minCount) {
        this(minCount, Optional.empty());
    }

    /** {@code current}: the policy deciding now, for its breakers and to leave out what it already does. */
    public SuggestionFinder(int minCount, Optional<Policy> current) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minimum count is " + minCount + ", want at least 1");
        }
        this.minCount = minCount;
        this.current = requireNonNull(current, "current is null");
    }

    /** Suggestions from the requests created in [from, to): allow rules first, then deny rules. */
    public List<Suggestion> find(List<ApprovalRequest> history, Instant from, Instant to) {
        requireNonNull(history, "history is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        List<Evidence> evidence = history.stream()
                .map(Evidence::of)
                .filter(item -> item.verdict() != Verdict.NOT_EVIDENCE)
                .toList();
        Map<String, List<Evidence>> byActionAndAgent = new TreeMap<>();
        Map<String, List<Evidence>> byAction = new TreeMap<>();
        for (Evidence item : evidence) {
            byActionAndAgent
                    .computeIfAbsent(
                            item.request().action().action() + "\u0000"
                                    + item.request().agent().name(),
                            key -> new ArrayList<>())
                    .add(item);
            byAction.computeIfAbsent(item.request().action().action(), key -> new ArrayList<>())
                    .add(item);
        }
        AllowSuggestions allow = new AllowSuggestions(minCount, current);
        DenySuggestions deny = new DenySuggestions(minCount);
        List<Suggestion> candidates = new ArrayList<>();
        byActionAndAgent.values().forEach(items -> candidates.addAll(allow.find(items)));
        byActionAndAgent.values().forEach(items -> deny.forAgent(items).ifPresent(candidates::add));
        byAction.values().forEach(items -> candidates.addAll(deny.forPhrases(items)));
        List<Suggestion> kept = new ArrayList<>();
        for (Suggestion suggestion : candidates) {
            Policy alone = Policy.parse("suggestion", "rules:\n" + suggestion.ruleYaml());
            List<ApprovalRequest> covered = history.stream()
                    .filter(request -> alone.decide(input(request)).rules().contains(suggestion.ruleName()))
                    .toList();
            if (RuleCheck.contradictions(suggestion.effect(), covered).isEmpty()
                    && !alreadyAdopted(suggestion, covered)) {
                kept.add(suggestion);
            }
        }
        return List.copyOf(kept);
    }

    /** The current policy already decides every request the rule covers the way the rule would. */
    private boolean alreadyAdopted(Suggestion suggestion, List<ApprovalRequest> covered) {
        return current.isPresent()
                && !covered.isEmpty()
                && covered.stream()
                        .allMatch(
                                request -> current.get().decide(input(request)).effect() == suggestion.effect());
    }

    private static DecisionInput input(ApprovalRequest request) {
        return new DecisionInput(request.action(), request.agent(), request.createdAt(), request.delegation());
    }
}
