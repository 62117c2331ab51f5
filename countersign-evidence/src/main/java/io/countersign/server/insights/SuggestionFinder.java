package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds rules the humans' decisions argue for. Only requests the policy sent to humans count
 * ({@link Verdict}); a suggestion needs at least {@code minCount} of them, every one decided the
 * same way. One contrary decision, an expiry or a break-glass approval among them: no suggestion.
 *
 * <ul>
 *   <li><b>allow</b>: per action and agent, the resources are walked segment by segment from the
 *       top, down to the first folder under which every decision was an approval. The resources
 *       under it give the rule's glob: the resource itself when only one was asked for, else their
 *       longest common prefix and {@code /*} (all one level below it) or {@code /**} (deeper).</li>
 *   <li><b>deny</b> by agent: an action every request of one agent was denied for.</li>
 *   <li><b>deny</b> by parameter: a word or two-word phrase in a top-level string parameter such
 *       that every request of the action whose parameter contains it, whatever the agent, was denied
 *       ({@code shell.exec} whose {@code command} contains {@code rm -rf}). Of phrases that cover
 *       the same requests, the longest is kept, and phrases covering a subset of another's are dropped.</li>
 * </ul>
 */
public final class SuggestionFinder {
    public static final int DEFAULT_MIN_COUNT = 10;
    private static final int EXAMPLES = 5;

    private final int minCount;

    public SuggestionFinder(int minCount) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minimum count is " + minCount + ", want at least 1");
        }
        this.minCount = minCount;
    }

    private record Evidence(ApprovalRequest request, Verdict verdict, List<String> segments) {
        static Evidence of(ApprovalRequest request) {
            return new Evidence(
                    request,
                    Verdict.of(request),
                    Arrays.asList(request.action().resource().split("/")));
        }
    }

    /** Suggestions from the requests created in [from, to): allow rules first, then deny rules. */
    public List<Suggestion> find(List<ApprovalRequest> history, Instant from, Instant to) {
        requireNonNull(history, "history is null");
        List<Evidence> evidence = history.stream()
                .map(Evidence::of)
                .filter(item -> item.verdict() != Verdict.NOT_EVIDENCE)
                .toList();
        Period period = new Period(requireNonNull(from, "from is null"), requireNonNull(to, "to is null"));
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
        List<Suggestion> suggestions = new ArrayList<>();
        byActionAndAgent.values().forEach(items -> allowUnder(List.of(), items, period, suggestions));
        byActionAndAgent.values().forEach(items -> denyForAgent(items, period, suggestions));
        byAction.values().forEach(items -> new ParamPhrases(minCount)
                .denied(
                        items.stream().map(Evidence::request).toList(),
                        items.stream().map(Evidence::verdict).toList())
                .forEach(phrase -> suggestions.add(denyForPhrase(phrase, period))));
        return suggestions;
    }

    private void allowUnder(List<String> prefix, List<Evidence> items, Period period, List<Suggestion> out) {
        if (items.size() < minCount) {
            return; // no narrower prefix can have more
        }
        if (!prefix.isEmpty() && items.stream().allMatch(item -> item.verdict() == Verdict.APPROVED)) {
            out.add(allow(prefix, items, period));
            return;
        }
        Map<String, List<Evidence>> children = new TreeMap<>();
        for (Evidence item : items) {
            if (item.segments().size() > prefix.size()) {
                children.computeIfAbsent(item.segments().get(prefix.size()), key -> new ArrayList<>())
                        .add(item);
            }
        }
        children.forEach((segment, under) -> {
            List<String> longer = new ArrayList<>(prefix);
            longer.add(segment);
            allowUnder(longer, under, period, out);
        });
    }

    private Suggestion allow(List<String> prefix, List<Evidence> items, Period period) {
        ApprovalRequest first = items.getFirst().request();
        String action = first.action().action();
        String agent = first.agent().name();
        Set<String> resources = new TreeSet<>(
                items.stream().map(item -> item.request().action().resource()).toList());
        List<String> common = commonPrefix(prefix, items);
        String base = String.join("/", common);
        String glob = resources.size() == 1
                ? resources.iterator().next()
                : items.stream().allMatch(item -> item.segments().size() == common.size() + 1)
                        ? base + "/*"
                        : base + "/**";
        Set<String> groups = deciders(items, Vote.Choice.APPROVE);
        List<String> supersedes = items.stream()
                .flatMap(item -> item.request().decision().rules().stream())
                .distinct()
                .sorted()
                .toList();
        String summary = action + " on " + glob + " by agent " + agent + " was approved " + items.size() + " of "
                + items.size() + " times by " + String.join(", ", groups) + " in " + period.days() + ": allow it";
        String name = RuleYaml.ruleName("suggested-allow-" + action + "-" + agent + "-" + base);
        String yaml = RuleYaml.rule(
                name,
                action,
                Optional.of(glob),
                Optional.of(agent),
                Optional.empty(),
                Effect.ALLOW,
                "approved " + items.size() + " of " + items.size() + " times by " + String.join(", ", groups) + " ("
                        + period + ")");
        Optional<String> note = supersedes.isEmpty()
                ? Optional.empty()
                : Optional.of("rule(s) " + String.join(", ", supersedes)
                        + " asked for approval and win over allow (the most restrictive effect wins): narrow them so they no longer match these"
                        + " actions, e.g. add to their 'when': !(agent.name == " + RuleYaml.celString(agent)
                        + " && resource.startsWith("
                        + RuleYaml.celString(glob.endsWith("*") ? base + "/" : glob)
                        + ")), then check with 'countersign policy replay'");
        return new Suggestion(
                Effect.ALLOW,
                summary,
                name,
                yaml,
                items.size(),
                period.from(),
                period.to(),
                groups,
                examples(items),
                supersedes,
                note);
    }

    /** The longest run of leading segments all the items' resources share; at least {@code prefix}. */
    private static List<String> commonPrefix(List<String> prefix, List<Evidence> items) {
        List<String> common = new ArrayList<>(prefix);
        List<String> shortest = items.stream()
                .map(Evidence::segments)
                .min(java.util.Comparator.comparingInt(List::size))
                .orElseThrow();
        for (int i = prefix.size(); i < shortest.size(); i++) {
            String segment = shortest.get(i);
            int at = i;
            if (!items.stream().allMatch(item -> item.segments().get(at).equals(segment))) {
                break;
            }
            common.add(segment);
        }
        return common;
    }

    private void denyForAgent(List<Evidence> items, Period period, List<Suggestion> out) {
        if (items.size() < minCount || !items.stream().allMatch(item -> item.verdict() == Verdict.DENIED)) {
            return;
        }
        ApprovalRequest first = items.getFirst().request();
        String action = first.action().action();
        String agent = first.agent().name();
        Set<String> groups = deciders(items, Vote.Choice.DENY);
        String summary = action + " by agent " + agent + " was denied " + items.size() + " of " + items.size()
                + " times by " + String.join(", ", groups) + " in " + period.days() + ": deny it";
        String name = RuleYaml.ruleName("suggested-deny-" + action + "-" + agent);
        String yaml = RuleYaml.rule(
                name,
                action,
                Optional.empty(),
                Optional.of(agent),
                Optional.empty(),
                Effect.DENY,
                "denied " + items.size() + " of " + items.size() + " times by " + String.join(", ", groups) + " ("
                        + period + ")");
        out.add(new Suggestion(
                Effect.DENY,
                summary,
                name,
                yaml,
                items.size(),
                period.from(),
                period.to(),
                groups,
                examples(items),
                List.of(),
                Optional.empty()));
    }

    private Suggestion denyForPhrase(ParamPhrases.Phrase phrase, Period period) {
        List<Evidence> items = phrase.requests().stream().map(Evidence::of).toList();
        String action = items.getFirst().request().action().action();
        Set<String> groups = deciders(items, Vote.Choice.DENY);
        String summary = action + " with " + phrase.param() + " containing " + RuleYaml.celString(phrase.text())
                + " was denied " + items.size() + " of " + items.size() + " times by " + String.join(", ", groups)
                + " in " + period.days() + ": deny it";
        String name = RuleYaml.ruleName("suggested-deny-" + action + "-" + phrase.param() + "-" + phrase.text());
        String param = RuleYaml.celString(phrase.param());
        String when = param + " in params && string(params[" + param + "]).contains("
                + RuleYaml.celString(phrase.text()) + ")";
        String yaml = RuleYaml.rule(
                name,
                action,
                Optional.empty(),
                Optional.empty(),
                Optional.of(when),
                Effect.DENY,
                "denied " + items.size() + " of " + items.size() + " times by " + String.join(", ", groups) + " ("
                        + period + ")");
        return new Suggestion(
                Effect.DENY,
                summary,
                name,
                yaml,
                items.size(),
                period.from(),
                period.to(),
                groups,
                examples(items),
                List.of(),
                Optional.empty());
    }

    /** The required groups the deciding voters were in (a voter's other groups did not count for the quorum). */
    private static Set<String> deciders(List<Evidence> items, Vote.Choice choice) {
        Set<String> groups = new TreeSet<>();
        for (Evidence item : items) {
            Set<String> required = new TreeSet<>();
            item.request().decision().approvals().stream()
                    .map(ApprovalRequirement::groups)
                    .forEach(required::addAll);
            item.request().votes().stream()
                    .filter(vote -> vote.choice() == choice)
                    .flatMap(vote -> vote.groups().stream())
                    .filter(required::contains)
                    .forEach(groups::add);
        }
        return groups;
    }

    private static List<String> examples(List<Evidence> items) {
        return items.stream()
                .limit(EXAMPLES)
                .map(item -> item.request().id().value())
                .toList();
    }

    /** The window the history covers, as the suggestions quote it. */
    record Period(Instant from, Instant to) {
        String days() {
            long days = Math.max(1, Math.round(Duration.between(from, to).toHours() / 24.0));
            return days + (days == 1 ? " day" : " days");
        }

        @Override
        public String toString() {
            return from + " to " + to;
        }
    }
}
