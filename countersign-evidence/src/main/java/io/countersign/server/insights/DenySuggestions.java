package io.countersign.server.insights;

import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Deny rules: an action one agent was denied every time, and a parameter phrase that was denied
 * every time whatever the agent ({@link ParamPhrases}). Whether either would deny something the
 * history allowed or a human approved is {@link RuleCheck}'s to say before it is shown.
 */
final class DenySuggestions {
    private final int minCount;

    DenySuggestions(int minCount) {
        this.minCount = minCount;
    }

    /** {@code items}: the evidence of one action and one agent. */
    Optional<Suggestion> forAgent(List<Evidence> items) {
        if (items.size() < minCount || !items.stream().allMatch(item -> item.verdict() == Verdict.DENIED)) {
            return Optional.empty();
        }
        List<ApprovalRequest> requests = items.stream().map(Evidence::request).toList();
        ApprovalRequest first = requests.getFirst();
        String action = first.action().action();
        String agent = first.agent().name();
        String name = RuleYaml.ruleName("suggested-deny-" + action + "-" + agent);
        return Optional.of(deny(
                requests,
                action + " by agent " + agent,
                name,
                RuleYaml.rule(
                        name,
                        action,
                        Optional.empty(),
                        Optional.of(agent),
                        Optional.empty(),
                        Effect.DENY,
                        reason(requests))));
    }

    /** {@code items}: the evidence of one action, every agent. */
    List<Suggestion> forPhrases(List<Evidence> items) {
        return new ParamPhrases(minCount)
                        .denied(
                                items.stream().map(Evidence::request).toList(),
                                items.stream().map(Evidence::verdict).toList())
                        .stream()
                        .map(this::forPhrase)
                        .toList();
    }

    private Suggestion forPhrase(ParamPhrases.Phrase phrase) {
        List<ApprovalRequest> requests = phrase.requests();
        String action = requests.getFirst().action().action();
        String name = RuleYaml.ruleName("suggested-deny-" + action + "-" + phrase.param() + "-" + phrase.text());
        String param = RuleYaml.celString(phrase.param());
        // Whole words: a phrase inside a longer word ("rm" in "terraform") does not match.
        String when = param + " in params && string(params[" + param + "]).matches("
                + RuleYaml.celString(ParamPhrases.regex(phrase.text())) + ")";
        return deny(
                requests,
                action + " with " + phrase.param() + " having the words " + RuleYaml.celString(phrase.text()),
                name,
                RuleYaml.rule(
                        name,
                        action,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(when),
                        Effect.DENY,
                        reason(requests)));
    }

    private static Suggestion deny(List<ApprovalRequest> requests, String what, String name, String yaml) {
        Set<String> groups = AllowSuggestions.deciders(requests, Vote.Choice.DENY);
        EvidenceSummary evidence = EvidenceSummary.of(requests, Vote.Choice.DENY);
        Map<String, Integer> resources = new TreeMap<>();
        requests.forEach(request -> resources.merge(request.action().resource(), 1, Integer::sum));
        String summary = what + " was denied " + requests.size() + " of " + requests.size() + " times by "
                + (groups.isEmpty() ? "humans" : String.join(", ", groups)) + " " + evidence.describe() + ": deny it";
        return new Suggestion(
                Effect.DENY,
                summary,
                name,
                yaml,
                requests.size(),
                evidence.first(),
                evidence.last(),
                groups,
                evidence.examples().stream().map(EvidenceSummary.Example::id).toList(),
                List.of(),
                Optional.empty(),
                resources,
                evidence);
    }

    private static String reason(List<ApprovalRequest> requests) {
        EvidenceSummary evidence = EvidenceSummary.of(requests, Vote.Choice.DENY);
        return "denied " + requests.size() + " of " + requests.size() + " times between " + evidence.first() + " and "
                + evidence.last();
    }
}
