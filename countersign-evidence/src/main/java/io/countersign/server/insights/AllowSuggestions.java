package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Allow rules from one agent's approvals of one action, one per resource family: the resources in
 * one folder ({@code db/analytics/events} and {@code db/analytics/users} are the family
 * {@code db/analytics}). A family needs {@code minCount} approvals of its own, every decision in it
 * an approval; families are never joined, because no human decided across them. The rule admits
 * exactly the resources asked for ({@code resource in [...]} under the folder's glob) and the
 * parameters approved ({@link ParamBounds}). Approvals a breaker forced are not evidence
 * ({@link Verdict}), and a breaker on a rule the suggestion supersedes is carried onto it, so
 * adopting it never bypasses the breaker.
 */
final class AllowSuggestions {
    private final int minCount;
    private final Optional<Policy> current;

    AllowSuggestions(int minCount, Optional<Policy> current) {
        this.minCount = minCount;
        this.current = requireNonNull(current, "current is null");
    }

    /** {@code items}: the evidence of one action and one agent. */
    List<Suggestion> find(List<Evidence> items) {
        Map<String, List<Evidence>> families = new TreeMap<>();
        items.forEach(item -> families.computeIfAbsent(item.folder(), key -> new ArrayList<>())
                .add(item));
        List<Suggestion> found = new ArrayList<>();
        families.forEach((folder, family) -> {
            if (family.size() >= minCount && family.stream().allMatch(item -> item.verdict() == Verdict.APPROVED)) {
                allow(folder, family).ifPresent(found::add);
            }
        });
        return found;
    }

    private Optional<Suggestion> allow(String folder, List<Evidence> family) {
        List<ApprovalRequest> requests = family.stream().map(Evidence::request).toList();
        ApprovalRequest first = requests.getFirst();
        String action = first.action().action();
        String agent = first.agent().name();
        Map<String, Integer> resources = new TreeMap<>();
        requests.forEach(request -> resources.merge(request.action().resource(), 1, Integer::sum));
        if (!(ParamBounds.learn(requests) instanceof ParamBounds.Bounded params)) {
            return Optional.empty();
        }
        List<String> supersedes = requests.stream()
                .flatMap(request -> request.decision().rules().stream())
                .distinct()
                .sorted()
                .toList();
        List<Breaker> breakers = current.map(policy -> policy.breakers().stream()
                        .filter(breaker ->
                                breaker.scope() instanceof Breaker.OnRule(String rule) && supersedes.contains(rule))
                        .toList())
                .orElse(List.of());
        if (breakers.size() > 1) {
            return Optional.empty(); // a rule has one breaker: carrying one would drop the others
        }
        String glob =
                resources.size() == 1 ? resources.keySet().iterator().next() : folder.isEmpty() ? "*" : folder + "/*";
        String resourceCondition = resources.size() == 1
                ? ""
                : "resource in "
                        + resources.keySet().stream()
                                .map(RuleYaml::celString)
                                .toList()
                                .toString() + " && ";
        String when = resourceCondition + params.condition();
        Set<String> groups = deciders(requests, Vote.Choice.APPROVE);
        EvidenceSummary evidence = EvidenceSummary.of(requests, Vote.Choice.APPROVE);
        String who = groups.isEmpty() ? "humans" : String.join(", ", groups);
        String count = requests.size() + " of " + requests.size();
        String summary = action + " on " + glob + (resources.size() > 1 ? " (" + resources.size() + " resources)" : "")
                + " by agent " + agent + " was approved " + count + " times by " + who + " " + evidence.describe()
                + ": allow it" + (params.described().isEmpty() ? "" : " with " + String.join(", ", params.described()));
        String name = RuleYaml.ruleName("suggested-allow-" + action + "-" + agent + "-" + glob.replace("/*", ""));
        String yaml = RuleYaml.rule(
                name,
                action,
                Optional.of(glob),
                Optional.of(agent),
                Optional.of(when),
                Effect.ALLOW,
                "approved " + count + " times by " + who + " between " + evidence.first() + " and " + evidence.last(),
                breakers.stream().findFirst().map(AllowSuggestions::breakerYaml));
        List<String> notes = new ArrayList<>();
        if (!supersedes.isEmpty()) {
            // Whole resources, never a string prefix: "k8s/prod/api" must not also cover "k8s/prod/api-gateway".
            String exactly = "action == " + RuleYaml.celString(action) + " && agent.name == "
                    + RuleYaml.celString(agent)
                    + " && resource in "
                    + resources.keySet().stream().map(RuleYaml::celString).toList() + " && " + params.condition();
            notes.add("rule(s) " + String.join(", ", supersedes)
                    + " asked for approval and win over allow (the most restrictive effect wins): narrow them so they no"
                    + " longer match these actions, e.g. add to their 'when': !(" + exactly
                    + "), then check with 'countersign policy replay'");
        }
        breakers.forEach(breaker -> notes.add("the breaker of rule " + ((Breaker.OnRule) breaker.scope()).rule()
                + " is carried onto this rule, so that adopting it keeps the breaker"));
        if (current.isEmpty() && !supersedes.isEmpty()) {
            notes.add("the current policy was not read: copy any breaker of " + String.join(", ", supersedes)
                    + " onto this rule");
        }
        return Optional.of(new Suggestion(
                Effect.ALLOW,
                summary,
                name,
                yaml,
                requests.size(),
                evidence.first(),
                evidence.last(),
                groups,
                evidence.examples().stream().map(EvidenceSummary.Example::id).toList(),
                supersedes,
                notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes)),
                resources,
                evidence));
    }

    private static String breakerYaml(Breaker breaker) {
        StringBuilder flow = new StringBuilder("{max: ")
                .append(breaker.max())
                .append(", per: ")
                .append(RuleYaml.quoted(breaker.per().toSeconds() + "s"))
                .append(", then: ")
                .append(breaker.then().wireName());
        breaker.approval().ifPresent(approval -> flow.append(", approval: {groups: ")
                .append(new TreeSet<>(approval.groups())
                        .stream().map(RuleYaml::quoted).toList())
                .append(", quorum: ")
                .append(approval.quorum())
                .append(", timeout: ")
                .append(RuleYaml.quoted(approval.timeout().toSeconds() + "s"))
                .append('}'));
        return flow.append('}').toString();
    }

    /** The required groups the deciding voters were in (a voter's other groups did not count for the quorum). */
    static Set<String> deciders(List<ApprovalRequest> requests, Vote.Choice choice) {
        Set<String> groups = new TreeSet<>();
        for (ApprovalRequest request : requests) {
            Set<String> required = new TreeSet<>();
            request.decision().approvals().stream()
                    .map(ApprovalRequirement::groups)
                    .forEach(required::addAll);
            request.votes().stream()
                    .filter(vote -> vote.choice() == choice)
                    .flatMap(vote -> vote.groups().stream())
                    .filter(required::contains)
                    .forEach(groups::add);
        }
        return groups;
    }
}
