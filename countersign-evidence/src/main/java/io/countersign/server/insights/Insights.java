package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.insights.Dismissal;
import io.countersign.policy.Policy;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.ApprovalRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Suggestions and replay over a store's decision history; what the API and the command line share. */
public final class Insights {
    private final GatewayStore store;
    private final Clock clock;
    private final Predicate<ApprovalRequest> systemRequest;
    private final Supplier<Optional<Policy>> current;

    /** Without the current policy: suggestions can't carry its breakers or leave out what it already does. */
    public Insights(GatewayStore store, Clock clock, Predicate<ApprovalRequest> systemRequest) {
        this(store, clock, systemRequest, Optional::empty);
    }

    /**
     * {@code systemRequest} tells the gateway's own requests (policy changes) from agents' actions;
     * {@code current} is the policy deciding now.
     */
    public Insights(
            GatewayStore store,
            Clock clock,
            Predicate<ApprovalRequest> systemRequest,
            Supplier<Optional<Policy>> current) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.systemRequest = requireNonNull(systemRequest, "systemRequest is null");
        this.current = requireNonNull(current, "current is null");
    }

    /**
     * {@code findings}: what the current policy (without it: the agents' keys only) could lose;
     * {@code setAside}: the dismissals and snoozes that left items out.
     */
    public record Suggestions(
            DecisionHistory history,
            int minCount,
            List<Suggestion> items,
            List<ShrinkFindings.Finding> findings,
            List<Dismissal> setAside) {
        public Suggestions {
            items = List.copyOf(items);
            findings = List.copyOf(findings);
            setAside = List.copyOf(setAside);
        }

        public Suggestions(DecisionHistory history, int minCount, List<Suggestion> items) {
            this(history, minCount, items, List.of(), List.of());
        }
    }

    /** Suggestions and findings for the window, without those a human dismissed or snoozed (until it ends). */
    public Suggestions suggestions(Duration window, int minCount) {
        DecisionHistory history = history(window);
        Optional<Policy> policy = current.get();
        List<Suggestion> items =
                new SuggestionFinder(minCount, policy).find(history.requests(), history.from(), history.to());
        List<ShrinkFindings.Finding> findings = new ArrayList<>();
        policy.ifPresent(
                p -> findings.addAll(ShrinkFindings.find(p, history.requests(), history.from(), history.to())));
        findings.addAll(AgentFindings.find(store.list(), history.requests(), history.from(), history.to()));
        Map<String, Dismissal> hidden = new TreeMap<>();
        new Dismissals(store, clock).current().forEach(d -> hidden.put(d.item(), d));
        return new Suggestions(
                history,
                minCount,
                items.stream().filter(s -> !hidden.containsKey(s.ruleName())).toList(),
                findings.stream().filter(f -> !hidden.containsKey(f.id())).toList(),
                List.copyOf(hidden.values()));
    }

    public Replay.Report replay(Policy policy, Duration window) {
        DecisionHistory history = history(window);
        return Replay.run(policy, history.requests(), history.from(), history.to());
    }

    private DecisionHistory history(Duration window) {
        return DecisionHistory.load(store, requireNonNull(window, "window is null"), clock.instant(), systemRequest);
    }
}
