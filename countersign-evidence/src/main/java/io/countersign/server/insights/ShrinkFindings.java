package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.policy.PolicyException;
import io.countersign.policy.RuleSummary;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Findings in the direction of least privilege, from the current policy and the window's history:
 * allow rules that decided nothing (remove them), and approval groups none of whose members voted
 * on the requests that asked them (narrow the rule's groups). Each change comes with its replay
 * over the same history: removing a rule that decided nothing, or a group that never voted, must
 * change no recorded decision, and the finding says how many it would change if it did.
 */
public final class ShrinkFindings {
    /**
     * One finding: what, about which rule (its line) or agent ({@code line} 0), what to do, and how
     * many recorded decisions that changes. {@link #id} names it for dismissing and snoozing.
     */
    public record Finding(
            String id, String kind, String subject, int line, String summary, String suggestion, int replayChanges) {
        public Finding {
            requireNonNull(id, "id is null");
            requireNonNull(kind, "kind is null");
            requireNonNull(subject, "subject is null");
            requireNonNull(summary, "summary is null");
            requireNonNull(suggestion, "suggestion is null");
        }

        /** A finding whose id is its kind and subject. */
        public Finding(String kind, String subject, int line, String summary, String suggestion, int replayChanges) {
            this(kind + ":" + subject, kind, subject, line, summary, suggestion, replayChanges);
        }

        /** About an agent rather than a rule. */
        public boolean aboutAgent() {
            return line == 0;
        }
    }

    private ShrinkFindings() {}

    static List<Finding> find(Policy policy, List<ApprovalRequest> history, Instant from, Instant to) {
        requireNonNull(policy, "policy is null");
        List<Finding> findings = new ArrayList<>();
        List<ApprovalRequest> decidedByThisPolicy = history.stream()
                .filter(request -> request.decision().policyVersion().equals(policy.version()))
                .toList();
        for (RuleSummary rule : policy.rules()) {
            if (rule.effect() == Effect.ALLOW
                    && history.stream()
                            .noneMatch(request -> request.decision().rules().contains(rule.name()))) {
                Optional<Policy> without = without(policy, rule);
                int changes = without.map(p -> Replay.run(p, decidedByThisPolicy, from, to)
                                .changes()
                                .size())
                        .orElse(-1);
                findings.add(new Finding(
                        "unused-allow-rule",
                        rule.name(),
                        rule.line(),
                        "allow rule " + rule.name() + " (line " + rule.line() + ") decided none of the "
                                + history.size() + " requests between " + from + " and " + to,
                        "remove it (lines " + rule.line() + "-" + end(policy, rule) + ")",
                        changes));
            }
            rule.approval().ifPresent(approval -> silentGroups(rule, approval, history, findings));
        }
        return findings;
    }

    private static void silentGroups(
            RuleSummary rule, ApprovalRequirement approval, List<ApprovalRequest> history, List<Finding> findings) {
        List<ApprovalRequest> asked = history.stream()
                .filter(request -> request.decision().approvals().stream()
                        .anyMatch(requirement -> requirement.rule().equals(rule.name())))
                .toList();
        if (asked.isEmpty() || approval.groups().size() < 2) {
            return; // a rule's only group can't be narrowed away; an unasked rule says nothing of its groups
        }
        Set<String> voted = new TreeSet<>();
        asked.forEach(request -> request.votes().forEach(vote -> voted.addAll(vote.groups())));
        for (String group : new TreeSet<>(approval.groups())) {
            if (!voted.contains(group)) {
                findings.add(new Finding(
                        "silent-approval-group:" + rule.name() + ":" + group,
                        "silent-approval-group",
                        rule.name(),
                        rule.line(),
                        "no member of " + group + " voted on any of the " + asked.size() + " requests rule "
                                + rule.name() + " asked them to decide",
                        "remove " + group + " from the approval groups of " + rule.name(),
                        replayWithoutGroup(rule.name(), group, asked)));
            }
        }
    }

    /**
     * The replay of the narrowing: how many of the requests the rule asked would have come out
     * otherwise had {@code group} not been among its groups. An approval changes when its quorum
     * no longer holds without the group's votes; a human's denial when no denying voter is left
     * in a group that may decide. 0 when the finding is right: none of its members voted.
     */
    static int replayWithoutGroup(String rule, String group, List<ApprovalRequest> asked) {
        int changes = 0;
        for (ApprovalRequest request : asked) {
            boolean approvedBefore = quorumMet(request, rule, "");
            boolean approvedAfter = quorumMet(request, rule, group);
            boolean deniedBefore = deniedByAMember(request, rule, "");
            boolean deniedAfter = deniedByAMember(request, rule, group);
            if (approvedBefore != approvedAfter || deniedBefore != deniedAfter) {
                changes++;
            }
        }
        return changes;
    }

    /** Every requirement has its quorum of distinct approving people, {@code rule}'s counted without {@code removed}. */
    private static boolean quorumMet(ApprovalRequest request, String rule, String removed) {
        return request.decision().approvals().stream().allMatch(requirement -> {
            Set<String> groups = groups(request, requirement, rule, removed);
            long approving = request.votes().stream()
                    .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                    .filter(vote -> vote.groups().stream().anyMatch(groups::contains))
                    .map(vote -> vote.person().id())
                    .distinct()
                    .count();
            return approving >= requirement.quorum();
        });
    }

    /** A denying vote from a member of a group that may decide, {@code rule}'s groups without {@code removed}. */
    private static boolean deniedByAMember(ApprovalRequest request, String rule, String removed) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.DENY)
                .anyMatch(vote -> request.decision().approvals().stream().anyMatch(requirement -> vote.groups().stream()
                        .anyMatch(groups(request, requirement, rule, removed)::contains)));
    }

    private static Set<String> groups(
            ApprovalRequest request, ApprovalRequirement requirement, String rule, String removed) {
        Set<String> groups = new TreeSet<>(request.groupsFor(requirement));
        if (requirement.rule().equals(rule)) {
            groups.remove(removed);
        }
        return groups;
    }

    /** The policy text without the rule's lines, if that still loads. */
    private static Optional<Policy> without(Policy policy, RuleSummary rule) {
        List<String> lines = new ArrayList<>(policy.source().lines().toList());
        int end = end(policy, rule);
        if (end < rule.line() || end > lines.size()) {
            return Optional.empty();
        }
        lines.subList(rule.line() - 1, end).clear();
        try {
            return Optional.of(Policy.parse(policy.fileName(), String.join("\n", lines) + "\n"));
        } catch (PolicyException e) {
            return Optional.empty();
        }
    }

    /** The rule's last line: before the next rule, or before the next top-level key, or the file's end. */
    private static int end(Policy policy, RuleSummary rule) {
        List<String> lines = policy.source().lines().toList();
        int next = policy.rules().stream()
                .mapToInt(RuleSummary::line)
                .filter(line -> line > rule.line())
                .min()
                .orElse(Integer.MAX_VALUE);
        for (int i = rule.line(); i < lines.size() && i + 1 < next; i++) {
            String line = lines.get(i);
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#")) {
                return i; // 1-based: line i is the one before this top-level key
            }
        }
        return Math.min(next - 1, lines.size());
    }
}
